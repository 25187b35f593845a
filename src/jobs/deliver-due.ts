import type { Frequency } from '../config.js';
import { periodOf } from '../domain/period.js';
import { buildEdition } from './build-edition.js';
import type { Deps } from './deps.js';

/**
 * The hourly delivery: sends each frequency's edition of the current period to the readers whose local
 * hour is their send hour and who have not had it yet. The edition is built once, when its first reader
 * is due, or at the latest when its cron fires (`buildNow`).
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
    await buildEdition(deps, edition.id, { kind: 'due', at }, { lazy: !opts.buildNow });
    out[frequency] = edition.id;
  }
  return out;
}
