import type { ResolvedConfig } from '../config.js';
import type { Logger } from './logger.js';
import type { Producer } from './queues.js';
import type { AudienceStore, EditionStore } from './stores.js';

/** What finishing an edition reads: its open rows and its targets without a row. */
export interface FinishPort {
  editions: Pick<EditionStore, 'byId' | 'hasOpenRows' | 'finishIfDone'>;
  readers: Pick<AudienceStore, 'targets'>;
  producer: Pick<Producer, 'buildEdition'>;
  log: Logger;
  config: Pick<ResolvedConfig, 'digest'>;
}

/**
 * Marks an edition sent, but only when its ledger balances: no row is queued or being sent, and every reader
 * it targets has a row (a final one). Should a target have none, that is an error, logged with their ids,
 * and the edition is assigned again rather than called sent. Returns true when it became sent here.
 */
export async function finishEdition(deps: FinishPort, id: number): Promise<boolean> {
  const { editions, readers, log, config } = deps;
  if (await editions.hasOpenRows(id)) return false;
  const edition = await editions.byId(id);
  if (!edition || edition.status !== 'sending') return false;
  const missing = await readers.targets(edition, 0, 20, config.digest.catchUpHours * 3600);
  if (missing.length) {
    log.error({ editionId: id, missing: missing.map((m) => m.id) }, "the edition's ledger does not balance: readers it targets have no row; assigning them before it may be called sent");
    await deps.producer.buildEdition(id, `ledger${Date.now()}`).catch(() => {});
    return false;
  }
  return editions.finishIfDone(id);
}
