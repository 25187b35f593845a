import { fileURLToPath } from 'node:url';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import type pg from 'pg';

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));
// Any constant works: it only has to be the same in every papermail process.
const MIGRATION_LOCK = 7_201_998;
// Where drizzle's own migrator records what it applied: installations migrated by it go on from there.
const TABLE = 'drizzle.__drizzle_migrations';

/** The committed drizzle-kit migrations, oldest first, as drizzle-kit's journal lists them. */
export function migrationFiles(): MigrationMeta[] {
  return readMigrationFiles({ migrationsFolder });
}

/** How many of the committed migrations this database has, and how many it lacks. */
export async function migrationState(client: pg.Pool | pg.PoolClient): Promise<{ applied: number; pending: number; total: number }> {
  const files = migrationFiles();
  const exists = await client.query<{ t: string | null }>(`select to_regclass('${TABLE}')::text as t`);
  if (!exists.rows[0]?.t) return { applied: 0, pending: files.length, total: files.length };
  const last = await client.query<{ at: string | null }>(`select max(created_at)::text as at from ${TABLE}`);
  const lastAt = Number(last.rows[0]?.at ?? 0);
  const pending = files.filter((m) => m.folderMillis > lastAt).length;
  return { applied: files.length - pending, pending, total: files.length };
}

/**
 * Applies the committed drizzle-kit migrations this database lacks (the first `upTo` of them at most), each
 * in a transaction of its own, recorded where drizzle's migrator records them. One transaction per file,
 * not one for all: PostgreSQL 14 to 17 refuse a new enum value in the transaction that added it (0002 adds
 * `paused`, 0006 uses it), so a fresh database there needs 0002 committed first. An advisory lock lets
 * several processes start at once: the first migrates, the others find nothing left.
 */
export async function migrateDatabase(pool: pg.Pool, opts: { upTo?: number } = {}): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('create schema if not exists drizzle');
    await client.query(`create table if not exists ${TABLE} (id serial primary key, hash text not null, created_at bigint)`);
    const last = await client.query<{ at: string | null }>(`select max(created_at)::text as at from ${TABLE}`);
    const lastAt = Number(last.rows[0]?.at ?? 0);
    for (const m of migrationFiles().slice(0, opts.upTo).filter((f) => f.folderMillis > lastAt)) {
      await client.query('begin');
      try {
        for (const statement of m.sql) if (statement.trim()) await client.query(statement);
        await client.query(`insert into ${TABLE} (hash, created_at) values ($1, $2)`, [m.hash, m.folderMillis]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      }
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
