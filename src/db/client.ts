import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.js';

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface Database {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly db: Db;
  close(): Promise<void>;
}

// Postgres bigint (int8) and count(*) arrive as strings; ids here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Opens a pooled drizzle client on a Postgres URL. */
export function connectDatabase(url: string, opts: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // A client that loses its server must not crash the process; the next query on it reports it. Idle in
  // the pool, pg-pool hears it ('error' on the pool); checked out between two statements (a transaction
  // waiting on something else, as the outbox relay waits on the queue), only the client does, and an
  // 'error' event nobody listens to ends the process. Such a client leaves the pool when released.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle(pool, { schema }) as Db;
  return { url, pool, db, close: () => pool.end() };
}
