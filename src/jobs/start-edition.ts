import type { Frequency } from '../domain/edition.js';
import { periodOf } from '../domain/period.js';
import type { ResolvedConfig } from '../config.js';
import type { Producer } from './queues.js';
import type { EditionStore } from './stores.js';

/** What starting an edition by hand writes: the edition and its audience, then a build job. */
export interface StartPort {
  editions: Pick<EditionStore, 'ensure' | 'target'>;
  producer: Pick<Producer, 'buildEdition'>;
  config: Pick<ResolvedConfig, 'digest'>;
  now: () => Date;
}

/**
 * Creates the edition of the current period (or an extra one when forced) and targets every reader
 * confirmed by now; the target is stored on the edition before its build is queued, so a lost job is
 * found and redone by recovery. An existing edition keeps its pool: only readers who have not had it get it.
 */
export async function startEdition(deps: StartPort, frequency: Frequency, force: boolean) {
  const at = deps.now();
  const period = periodOf(frequency, at, deps.config.digest.tz);
  const { edition, created } = await deps.editions.ensure(frequency, period, force);
  let queued = false;
  if (edition.status !== 'empty') {
    await deps.editions.target(edition.id, { everyoneAt: at });
    // The queue may be down; the recovery sweep builds the edition once it is back.
    queued = await deps.producer.buildEdition(edition.id).then(
      () => true,
      () => false,
    );
  }
  return { id: edition.id, created, period, queued };
}
