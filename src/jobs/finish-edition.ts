import type { Deps } from './deps.js';

/**
 * Marks an edition sent, but only when its ledger balances: no row is queued or being sent, and every reader
 * it targets has a row (a final one). Should a target have none, that is an error, logged with their ids,
 * and the edition is assigned again rather than called sent. Returns true when it became sent here.
 */
export async function finishEdition(deps: Pick<Deps, 'repos' | 'producer' | 'log' | 'config'>, id: number): Promise<boolean> {
  const { repos, log, config } = deps;
  if (await repos.editions.hasOpenRows(id)) return false;
  const edition = await repos.editions.byId(id);
  if (!edition || edition.status !== 'sending') return false;
  const missing = await repos.readers.targets(edition, 0, 20, config.digest.catchUpHours * 3600);
  if (missing.length) {
    log.error({ editionId: id, missing: missing.map((m) => m.id) }, "the edition's ledger does not balance: readers it targets have no row; assigning them before it may be called sent");
    await deps.producer.buildEdition(id, `ledger${Date.now()}`).catch(() => {});
    return false;
  }
  return repos.editions.finishIfDone(id);
}
