import { sql } from 'drizzle-orm';
import type { EditionEngagement, EditionStats, Frequency, Ledger } from '../domain/edition.js';
import type { Db } from './client.js';

/** What editions did, read-only: the archive, the console's lists, the ledger and the counts. */
export function createEditionReportsRepo(db: Db) {
  return {
    /** Editions that went out, newest first, for the archive. */
    async archive(limit: number): Promise<{ id: number; frequency: Frequency; period: string; top: string | null; papers: number; createdAt: Date }[]> {
      const res = await db.execute<{ id: number; frequency: Frequency; period: string; top: string | null; papers: number; createdAt: Date }>(sql`
        select e.id, e.frequency, e.period, (select p.title from papers p where p.id = e.paper_ids->>0) as top,
               jsonb_array_length(e.paper_ids)::int as papers, e.created_at as "createdAt"
        from editions e where e.status in ('assigning', 'sending', 'sent', 'paused') and jsonb_array_length(e.paper_ids) > 0 order by e.id desc limit ${limit}`);
      return res.rows;
    },

    /** Editions newest first, with their counts (keyset on id), for the console and the admin API. */
    async list(opts: { limit: number; before?: number }): Promise<EditionStats[]> {
      const res = await db.execute<{ id: number }>(sql`
        select id from editions ${opts.before ? sql`where id < ${opts.before}` : sql``} order by id desc limit ${opts.limit}`);
      const stats = await Promise.all(res.rows.map((r) => this.stats(Number(r.id))));
      return stats.filter((s): s is EditionStats => s !== null);
    },

    /**
     * What became of the edition's audience, row by row: sent, failed, skipped (nothing for them), suppressed
     * and unsubscribed (or paused) since it was assigned, erased since, and still open. Its target is the sum:
     * every reader it gave a row. Readers it should have given one and did not are the caller's to count.
     */
    async ledger(id: number): Promise<Ledger | null> {
      const res = await db.execute<Omit<Ledger, 'target'>>(sql`
        select e.erased,
               count(d.id) filter (where d.status = 'sent')::int as sent,
               count(d.id) filter (where d.status = 'failed')::int as failed,
               count(d.id) filter (where d.status = 'skipped' and d.last_response like 'skipped: suppressed since%')::int as suppressed,
               count(d.id) filter (where d.status = 'skipped' and (d.last_response like 'skipped: unsubscribed since%' or d.last_response like 'skipped: paused since%'))::int as unsubscribed,
               count(d.id) filter (where d.status = 'skipped' and d.last_response not like 'skipped: suppressed since%'
                                   and d.last_response not like 'skipped: unsubscribed since%' and d.last_response not like 'skipped: paused since%')::int as skipped,
               count(d.id) filter (where d.status in ('queued', 'sending'))::int as open
        from editions e left join deliveries d on d.edition_id = e.id where e.id = ${id} group by e.id`);
      const r = res.rows[0];
      if (!r) return null;
      return { target: r.sent + r.failed + r.skipped + r.suppressed + r.unsubscribed + r.erased + r.open, ...r };
    },

    /** Counts per status, for the admin API. */
    async stats(id: number): Promise<EditionStats | null> {
      const res = await db.execute<EditionStats>(sql`
        select e.id, e.frequency, e.period, e.forced, e.status, e.paper_ids as papers, e.note,
               e.paused_reason as "pausedReason", e.paused_at as "pausedAt",
               (select count(*)::int from edition_renders r where r.edition_id = e.id) as renders,
               e.created_at as "createdAt", e.finished_at as "finishedAt",
               count(d.id) filter (where d.status <> 'skipped')::int as recipients,
               count(d.id) filter (where d.status = 'skipped')::int as skipped,
               count(d.id) filter (where d.status = 'queued')::int as queued,
               count(d.id) filter (where d.status = 'sending')::int as sending,
               count(d.id) filter (where d.status = 'sent')::int as sent,
               count(d.id) filter (where d.status = 'failed')::int as failed,
               (select count(*)::int from bounce_events b where b.edition_id = e.id and b.kind = 'complaint') as complaints
        from editions e left join deliveries d on d.edition_id = e.id
        where e.id = ${id} group by e.id`);
      return res.rows[0] ?? null;
    },

    /**
     * Editions assigning or sending (only `ids`, when given) that have complaints, with how many they sent:
     * the complaint guard's counts. After a resume, only the complaints that came afterwards count: an
     * operator who resumed an edition the guard paused is not overruled by the same complaints.
     */
    async complaintCounts(ids: number[] | null): Promise<{ id: number; complaints: number; sent: number }[]> {
      const res = await db.execute<{ id: number; complaints: number; sent: number }>(sql`
        select e.id::int as id, count(b.id)::int as complaints,
               (select count(*)::int from deliveries d where d.edition_id = e.id and d.status = 'sent') as sent
        from editions e
        join bounce_events b on b.edition_id = e.id and b.kind = 'complaint' and b.at > coalesce(e.resumed_at, '-infinity'::timestamptz)
        where e.status in ('assigning', 'sending') ${ids ? sql`and e.id = any(${sql.param(ids)}::bigint[])` : sql``}
        group by e.id`);
      return res.rows;
    },

    /** What the edition's readers did about it: readers who chose on one of its papers after it was sent, and the papers chosen most. */
    async engagement(id: number): Promise<EditionEngagement> {
      const res = await db.execute<{ readers: number; papers: EditionEngagement['papers'] | null }>(sql`
        with f as (
          select f.subscriber_id, f.paper_id, f.choice from deliveries d
          join feedback f on f.subscriber_id = d.subscriber_id and f.at >= d.sent_at and d.paper_ids ? f.paper_id
          where d.edition_id = ${id} and d.status = 'sent')
        select (select count(distinct subscriber_id)::int from f) as readers,
               (select json_agg(t) from (
                  select f.paper_id as "paperId", p.title, count(*)::int as chosen from f join papers p on p.id = f.paper_id
                  where f.choice = 'more' group by f.paper_id, p.title order by chosen desc, f.paper_id limit 5) t) as papers`);
      const row = res.rows[0];
      return { readers: row?.readers ?? 0, papers: row?.papers ?? [] };
    },
  };
}

