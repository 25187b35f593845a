import type { Frequency } from '../config.js';
import { periodOf } from '../domain/period.js';
import { buildEdition } from './build-edition.js';
import type { Deps } from './deps.js';

/**
 * The hourly delivery: each frequency's edition of the current period targets the readers whose local
 * hour is their send hour (stored on the edition, so recovery can finish a tick that crashed), and is
 * built once, when its first reader is due, or at the latest when its cron fires (`buildNow`).
 */
export async function deliverDue(
  deps: Deps,
  frequencies: readonly Frequency[] = ['daily', 'weekly'],
  opts: { buildNow?: boolean } = {},
): Promise<Partial<Record<Frequency, number>>> {
  const at = deps.now();
  const out: Partial<Record<Frequency, number>> = {};
  for (const frequency of frequencies) {
    const { edition } = await deps.repos.editions.ensure(frequency, periodOf(frequency, at, deps.config.digest.tz), false);
    if (edition.status === 'empty') continue;
    await deps.repos.editions.target(edition.id, { dueAt: at });
    await buildEdition(deps, edition.id, { fixPool: opts.buildNow });
    out[frequency] = edition.id;
  }
  return out;
}
