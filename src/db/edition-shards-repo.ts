import { sql } from 'drizzle-orm';
import type { Shard } from '../domain/edition.js';
import type { Db } from './client.js';

/** An edition's assignment shards: ranges of reader ids that builder jobs claim, beat and finish. */
export function createEditionShardsRepo(db: Db) {
  return {
    /** The assigning job is alive (and its shard, if it builds one): recovery leaves an edition with a fresh beat alone. */
    async beat(id: number, shard?: number): Promise<void> {
      await db.execute(
        shard === undefined
          ? sql`update editions set assign_beat_at = now() where id = ${id}`
          : sql`with s as (update edition_shards set beat_at = now() where edition_id = ${id} and first_id = ${shard})
                update editions set assign_beat_at = now() where id = ${id}`,
      );
    },

    /** The edition's shards, by first id. */
    async shards(id: number): Promise<Shard[]> {
      const res = await db.execute<{ first: number; last: number | null; done: boolean }>(sql`
        select first_id as first, last_id as last, done_at is not null as done from edition_shards where edition_id = ${id} order by first_id`);
      return res.rows.map((r) => ({ firstId: Number(r.first), lastId: r.last === null ? null : Number(r.last), done: r.done }));
    },

    /**
     * Stores the edition's shards, starting at these ids (ascending, the first 0), unless it has some already.
     * Two planners at once may both store theirs: each plan covers every id, so the shards overlap and a
     * reader in two of them still gets one row (deliveries_subscriber_slot_key).
     */
    async planShards(id: number, starts: number[]): Promise<Shard[]> {
      await db.execute(sql`
        insert into edition_shards (edition_id, first_id, last_id)
        select ${id}, f, lead(f) over (order by f) - 1 from unnest(${sql.param(starts)}::bigint[]) as f
        where not exists (select 1 from edition_shards where edition_id = ${id})
        on conflict do nothing`);
      return this.shards(id);
    },

    /**
     * The shards that need a job: not done, and not beaten for `staleSeconds` (never queued, or their job
     * died). They are marked as beaten now, so that the next caller leaves them to the jobs about to be queued.
     */
    async claimShards(id: number, staleSeconds: number): Promise<number[]> {
      const res = await db.execute<{ first: number }>(sql`
        update edition_shards set beat_at = now()
        where edition_id = ${id} and done_at is null and (beat_at is null or beat_at < now() - make_interval(secs => ${staleSeconds}))
        returning first_id as first`);
      return res.rows.map((r) => Number(r.first)).sort((a, b) => a - b);
    },

    /** Gives claimed shards back (their jobs could not be queued), for the next build of the edition to queue. */
    async releaseShards(id: number, shards: number[]): Promise<void> {
      await db.execute(sql`
        update edition_shards set beat_at = null where edition_id = ${id} and first_id = any(${sql.param(shards)}::bigint[]) and done_at is null`);
    },

    /**
     * Marks a shard done (its range has no target left); returns how many of the edition's shards are not.
     * Under the edition's row lock, so that of two shards finishing at once the second sees the first done:
     * whichever finishes last learns that it did.
     */
    async shardDone(id: number, shard: number): Promise<number> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`select 1 from editions where id = ${id} for update`);
        await tx.execute(sql`update edition_shards set done_at = coalesce(done_at, now()) where edition_id = ${id} and first_id = ${shard}`);
        const res = await tx.execute<{ open: number }>(sql`select count(*)::int as open from edition_shards where edition_id = ${id} and done_at is null`);
        return res.rows[0]?.open ?? 0;
      });
    },
  };
}

