import type { Deps } from './deps.js';

// A pending edition older than this lost its build job (a crash between insert and queue).
const STALE_BUILD_MS = 2 * 60_000;

/**
 * Recovery is a query, not a hope: finds editions whose build or sends were interrupted
 * and queues the work again. Claims make the extra jobs harmless.
 */
export async function recoverEditions(deps: Deps): Promise<{ rebuilt: number; resent: number }> {
  const { repos, producer, config } = deps;
  const now = deps.now().getTime();
  let rebuilt = 0;
  let resent = 0;
  for (const e of await repos.editions.unfinished()) {
    if (e.status === 'pending') {
      // Only forced (admin) editions go to everyone; a scheduled one waits for its readers' hour.
      if (e.forced && now - new Date(e.createdAt).getTime() > STALE_BUILD_MS) {
        await producer.buildEdition(e.id);
        rebuilt++;
      }
      continue;
    }
    const open = await repos.deliveries.outstanding(e.id, config.send.leaseSeconds);
    if (!open) {
      await repos.editions.finishIfDone(e.id);
      continue;
    }
    const delay = open.dueAt.getTime() - now;
    // One job per edition and minute at most, whatever how often recovery runs.
    await producer.sendLater(e.id, [open.from, open.to], delay, `recover${Math.floor((now + Math.max(0, delay)) / 60_000)}`);
    resent++;
  }
  return { rebuilt, resent };
}
