import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';

/** Every row of every table in every schema (ours and BullMQ's), as text: what a plain dump would hold. */
export async function dumpDatabase(db: Db): Promise<string> {
  const tables = await db.execute<{ s: string; t: string }>(sql`
    select table_schema as s, table_name as t from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`);
  const parts: string[] = [];
  for (const { s, t } of tables.rows) {
    const rows = await db.execute(sql.raw(`select * from "${s}"."${t}"`));
    parts.push(`-- ${s}.${t}\n${rows.rows.map((r) => JSON.stringify(r)).join('\n')}`);
  }
  return parts.join('\n');
}
