import type { Frequency } from '../domain/edition.js';
import { periodOf } from '../domain/period.js';
import type { Deps } from './deps.js';

/**
 * Creates the edition of the current period (or an extra one when forced) and targets every reader
 * confirmed by now; the target is stored on the edition before its build is queued, so a lost job is
 * found and redone by recovery. An existing edition keeps its pool: only readers who have not had it get it.
 */
export async function startEdition(deps: Pick<Deps, 'repos' | 'producer' | 'config' | 'now'>, frequency: Frequency, force: boolean) {
  const at = deps.now();
  const period = periodOf(frequency, at, deps.config.digest.tz);
  const { edition, created } = await deps.repos.editions.ensure(frequency, period, force);
  let queued = false;
  if (edition.status !== 'empty') {
    await deps.repos.editions.target(edition.id, { everyoneAt: at });
    // The queue may be down; the recovery sweep builds the edition once it is back.
    queued = await deps.producer.buildEdition(edition.id).then(
      () => true,
      () => false,
    );
  }
  return { id: edition.id, created, period, queued };
}
