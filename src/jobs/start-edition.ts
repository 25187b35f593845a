import type { Frequency } from '../config.js';
import { periodOf } from '../domain/period.js';
import type { Deps } from './deps.js';

/**
 * Creates the edition of the current period (or an extra one when forced) and queues its build.
 * An edition that already exists is returned as it is; a pending one gets its build queued again.
 */
export async function startEdition(deps: Pick<Deps, 'repos' | 'producer' | 'config' | 'now'>, frequency: Frequency, force: boolean) {
  const period = periodOf(frequency, deps.now(), deps.config.digest.tz);
  const { edition, created } = await deps.repos.editions.ensure(frequency, period, force);
  if (created || edition.status === 'pending') await deps.producer.buildEdition(edition.id);
  return { id: edition.id, created, period };
}
