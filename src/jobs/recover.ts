import type { Deps } from './deps.js';

/**
 * Recovery is a query, not a hope. Each sweep (every RECOVER_INTERVAL_SECONDS, and when a worker starts):
 * an edition whose assigning job has stopped beating while a target still has no row is built again,
 * whatever its status and whatever the queue did with the job (stalled twice, failed, lost); an edition
 * with rows still queued or held past their lease gets a send job for them. Claims make extra jobs harmless.
 */
export async function recoverEditions(deps: Pick<Deps, 'repos' | 'producer' | 'config' | 'now'>): Promise<{ rebuilt: number; resent: number }> {
  const { repos, producer, config } = deps;
  // Job ids per sweep interval: a sweep never queues the same work twice, and the next one may redo it.
  const every = config.send.recoverIntervalSeconds * 1000;
  const bucket = (at: number) => Math.floor(at / every);
  const staleSeconds = Math.min(config.send.leaseSeconds, 120);
  let rebuilt = 0;
  let resent = 0;
  for (const e of await repos.editions.unfinished(staleSeconds)) {
    if (e.stale && (e.status === 'pending' || e.status === 'assigning')) {
      const edition = await repos.editions.byId(e.id);
      if (edition && (await repos.readers.targets(edition, 0, 1, config.digest.catchUpHours * 3600)).length) {
        await producer.buildEdition(e.id, `recover${bucket(deps.now().getTime())}`);
        rebuilt++;
        continue;
      }
      await repos.editions.markAssigned(e.id);
    }
    if (e.status === 'pending') continue;
    const open = await repos.deliveries.outstanding(e.id, config.send.leaseSeconds);
    if (!open) {
      await repos.editions.finishIfDone(e.id);
      continue;
    }
    await producer.sendLater(e.id, [open.from, open.to], open.dueInMs, `recover${bucket(deps.now().getTime() + open.dueInMs)}`);
    resent++;
  }
  return { rebuilt, resent };
}
