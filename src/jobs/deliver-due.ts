import type { Frequency } from '../config.js';
import { periodOf } from '../domain/period.js';
import { buildEdition } from './build-edition.js';
import type { Deps } from './deps.js';

/**
 * The hourly delivery: makes sure each frequency's edition of the current period exists (built once),
 * then sends it to the readers whose local hour is their send hour and who have not had it yet.
 */
export async function deliverDue(deps: Deps, frequencies: readonly Frequency[] = ['daily', 'weekly']): Promise<Partial<Record<Frequency, number>>> {
  const at = deps.now();
  const out: Partial<Record<Frequency, number>> = {};
  for (const frequency of frequencies) {
    const { edition } = await deps.repos.editions.ensure(frequency, periodOf(frequency, at, deps.config.digest.tz), false);
    await buildEdition(deps, edition.id, { kind: 'due', at });
    out[frequency] = edition.id;
  }
  return out;
}
