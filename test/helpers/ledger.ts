import type { Served } from '../../src/runtime/serve.js';

/**
 * Sent editions whose ledger does not balance: a row still open. (A reader it targets without a row is
 * checked when an edition is called sent, jobs/finish-edition.ts; later changes, such as a lifted
 * suppression, make new targets that are no one's loss.)
 */
export async function editionsOutOfBalance(served: Served): Promise<string[]> {
  const { repos } = served.runtime;
  const out: string[] = [];
  const sent = await served.runtime.database.pool.query<{ id: string }>(`select id from editions where status = 'sent'`);
  for (const { id } of sent.rows) {
    const ledger = await repos.reports.ledger(Number(id));
    if (!ledger || ledger.open > 0) out.push(`#${id}: ${JSON.stringify(ledger)}`);
  }
  return out;
}
