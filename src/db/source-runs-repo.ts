import type { SourceRun } from '../domain/paper.js';
import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

/** Each paper source's last fetch. */
export function createSourceRunsRepo(db: Db) {
  return {
    /** Records a fetch that stored its papers. */
    async succeeded(source: string, r: { seen: number; added: number; updated: number }): Promise<void> {
      await db.execute(sql`
        insert into source_runs (source, last_run_at, last_ok_at, seen, added, updated, error) values (${source}, now(), now(), ${r.seen}, ${r.added}, ${r.updated}, null)
        on conflict (source) do update set last_run_at = now(), last_ok_at = now(), seen = excluded.seen, added = excluded.added, updated = excluded.updated, error = null`);
    },

    /** Records a fetch that failed, keeping what the last good one brought. */
    async failed(source: string, error: string): Promise<void> {
      await db.execute(sql`
        insert into source_runs (source, last_run_at, error) values (${source}, now(), ${error.slice(0, 1000)})
        on conflict (source) do update set last_run_at = now(), error = excluded.error`);
    },

    /** Every source's last fetch, by name. */
    async list(): Promise<SourceRun[]> {
      const res = await db.execute<{ source: string; last_run_at: string; last_ok_at: string | null; seen: number; added: number; updated: number; error: string | null }>(
        sql`select source, last_run_at, last_ok_at, seen, added, updated, error from source_runs order by source`,
      );
      return res.rows.map((r) => ({
        source: r.source,
        lastRunAt: new Date(r.last_run_at),
        lastOkAt: r.last_ok_at ? new Date(r.last_ok_at) : null,
        seen: Number(r.seen),
        added: Number(r.added),
        updated: Number(r.updated),
        error: r.error,
      }));
    },
  };
}
