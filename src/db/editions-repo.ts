import { eq, sql } from 'drizzle-orm';
import type { Edition, Frequency } from '../domain/edition.js';
import type { Db } from './client.js';
import { editions } from './schema.js';

/** An edition's lifecycle: created per period, its pool fixed, targeted, assigned, marked sent or empty. */
export function createEditionsRepo(db: Db) {
  return {
    /** Returns the edition of this period, creating it first; `forced` always creates an extra one. */
    async ensure(frequency: Frequency, period: string, forced: boolean): Promise<{ edition: Edition; created: boolean }> {
      if (forced) {
        const [edition] = await db.insert(editions).values({ frequency, period, forced: true }).returning();
        return { edition: edition!, created: true };
      }
      const inserted = await db
        .insert(editions)
        .values({ frequency, period })
        .onConflictDoNothing({ target: [editions.frequency, editions.period], where: sql`not ${editions.forced}` })
        .returning();
      if (inserted[0]) return { edition: inserted[0], created: true };
      const [existing] = await db
        .select()
        .from(editions)
        .where(sql`${editions.frequency} = ${frequency} and ${editions.period} = ${period} and not ${editions.forced}`);
      return { edition: existing!, created: false };
    },

    async byId(id: number): Promise<Edition | null> {
      const [row] = await db.select().from(editions).where(eq(editions.id, id));
      return row ?? null;
    },

    /** Fixes the edition's candidate pool (its ranked papers) and starts assigning; only the first builder wins. */
    async publishPool(id: number, paperIds: string[], at: Date): Promise<boolean> {
      const res = await db.execute(sql`
        update editions set status = 'assigning', paper_ids = ${JSON.stringify(paperIds)}::jsonb, built_at = ${at.toISOString()}, assign_beat_at = now()
        where id = ${id} and status = 'pending'`);
      return (res.rowCount ?? 0) > 0;
    },

    /**
     * Widens who the edition targets: everyone confirmed by `at` (an operator's send), or the readers whose
     * send hour is the hour of `at` (the hourly tick). A built edition goes back to assigning until they all
     * have a row; a paused one stays paused.
     */
    async target(id: number, audience: { everyoneAt: Date } | { dueAt: Date }): Promise<void> {
      const set = 'everyoneAt' in audience ? sql`audience_at = ${audience.everyoneAt.toISOString()}` : sql`due_at = ${audience.dueAt.toISOString()}`;
      await db.execute(sql`
        update editions set ${set}, assign_beat_at = now(),
          status = case when status in ('sending', 'sent') then 'assigning' else status end,
          finished_at = case when status in ('sending', 'sent') then null else finished_at end
        where id = ${id}`);
    },

    /** Every target has a row now: the edition moves on to sending (a paused one stays paused). */
    async markAssigned(id: number): Promise<void> {
      await db.execute(sql`update editions set status = 'sending' where id = ${id} and status = 'assigning'`);
    },

    /** Marks an edition that found nothing to send. */
    async markEmpty(id: number, note: string, at: Date): Promise<void> {
      await db.execute(sql`update editions set status = 'empty', note = ${note}, built_at = ${at.toISOString()}, finished_at = now() where id = ${id} and status = 'pending'`);
    },

    /** Whether any of the edition's rows is still queued or being sent. */
    async hasOpenRows(id: number): Promise<boolean> {
      const res = await db.execute<{ open: boolean }>(sql`
        select exists (select 1 from deliveries where edition_id = ${id} and status in ('queued', 'sending')) as open`);
      return Boolean(res.rows[0]?.open);
    },

    /** Marks the edition sent once every target has a row (it is sending) and no row is queued or in flight. */
    async finishIfDone(id: number): Promise<boolean> {
      const res = await db.execute(sql`
        update editions set status = 'sent', finished_at = now()
        where id = ${id} and status = 'sending'
          and not exists (select 1 from deliveries d where d.edition_id = ${id} and d.status in ('queued', 'sending'))`);
      return (res.rowCount ?? 0) > 0;
    },

    /** The newest edition that went out, for the welcome mail and the archive. */
    async latestSent(frequency?: Frequency): Promise<number | null> {
      const res = await db.execute<{ id: number }>(sql`
        select id from editions where status in ('assigning', 'sending', 'sent', 'paused') ${frequency ? sql`and frequency = ${frequency}` : sql``}
        order by id desc limit 1`);
      return res.rows[0] ? Number(res.rows[0].id) : null;
    },

    /**
     * Editions whose work may have been interrupted: targeted but unbuilt, assigning, or sending.
     * `stale` says the assigning job has not beaten for `staleSeconds` (it died, or never started).
     */
    async unfinished(staleSeconds: number): Promise<{ id: number; status: Edition['status']; stale: boolean }[]> {
      const res = await db.execute<{ id: number; status: Edition['status']; stale: boolean }>(sql`
        select id, status, coalesce(assign_beat_at < now() - make_interval(secs => ${staleSeconds}), true) as stale
        from editions
        where status in ('assigning', 'sending') or (status = 'pending' and (audience_at is not null or due_at is not null))
        order by id`);
      return res.rows;
    },
  };
}

