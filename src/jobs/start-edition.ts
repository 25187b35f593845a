import type { Frequency } from '../config.js';
import { periodOf } from '../domain/period.js';
import type { Deps } from './deps.js';

/**
 * Creates the edition of the current period (or an extra one when forced) and queues its build for
 * every matching reader at once. An existing edition is not built again: its pool stays, and only
 * readers who have not had it yet (whose hour had not come) get it now.
 */
export async function startEdition(deps: Pick<Deps, 'repos' | 'producer' | 'config' | 'now'>, frequency: Frequency, force: boolean) {
  const period = periodOf(frequency, deps.now(), deps.config.digest.tz);
  const { edition, created } = await deps.repos.editions.ensure(frequency, period, force);
  if (edition.status !== 'empty') await deps.producer.buildEdition(edition.id);
  return { id: edition.id, created, period };
}
