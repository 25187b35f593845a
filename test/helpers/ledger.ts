import type { Served } from '../../src/runtime/serve.js';

/** Sent editions whose ledger does not balance: a row still open, or a reader it targets without a row. */
export async function editionsOutOfBalance(served: Served): Promise<string[]> {
  const { repos, config } = served.runtime;
  const out: string[] = [];
  const sent = await served.runtime.database.pool.query<{ id: string }>(`select id from editions where status = 'sent'`);
  for (const { id } of sent.rows) {
    const ledger = await repos.editions.ledger(Number(id));
    const edition = await repos.editions.byId(Number(id));
    const missing = await repos.readers.targets(edition!, 0, 5, config.digest.catchUpHours * 3600);
    if (!ledger || ledger.open > 0 || missing.length) out.push(`#${id}: ${JSON.stringify({ ledger, missing: missing.map((m) => m.id) })}`);
  }
  return out;
}
