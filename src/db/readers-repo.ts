import { sql } from 'drizzle-orm';
import type { Frequency } from '../config.js';
import type { Db } from './client.js';

/** A reader an edition may go to, with what decides their list. */
export type Target = { id: number; email: string; topics: string[]; maxPapers: number | null };

/** One reader's outcome for an edition, ready to insert. */
export interface Assignment {
  subscriberId: number;
  renderId: number | null;
  paperIds: string[];
  status: 'queued' | 'skipped';
  reason: string | null;
}

/** Who an edition targets, as stored on it: see editions.audience_at and editions.due_at. */
export interface Audience {
  id: number;
  frequency: Frequency;
  /** Everyone confirmed by then. */
  audienceAt: Date | null;
  /** Readers whose local hour at this instant is their send hour (weeklies on Monday). */
  dueAt: Date | null;
}

export function createReadersRepo(db: Db) {
  return {
    /**
     * A keyset page of the edition's targets that have no delivery row yet: active, unsuppressed readers
     * of its frequency who are in its audience. An empty first page means the edition is fully assigned.
     */
    async targets(e: Audience, afterId: number, limit: number): Promise<Target[]> {
      const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
      const everyone = e.audienceAt ? sql`coalesce(s.confirmed_at, s.created_at) <= ${at(e.audienceAt)}` : sql`false`;
      const due = e.dueAt
        ? sql`(extract(hour from (${at(e.dueAt)} at time zone s.timezone)) = s.send_hour
               ${e.frequency === 'weekly' ? sql`and extract(isodow from (${at(e.dueAt)} at time zone s.timezone)) = 1` : sql``})`
        : sql`false`;
      const res = await db.execute<Target>(sql`
        select s.id, s.email, s.topics, s.max_papers as "maxPapers" from subscribers s
        where s.status = 'active' and s.frequency = ${e.frequency} and s.id > ${afterId}
          and (${everyone} or ${due})
          and not exists (select 1 from suppressions x where x.email = lower(s.email) or x.email = s.email_hash)
          and not exists (select 1 from deliveries d where d.edition_id = ${e.id} and d.subscriber_id = s.id)
        order by s.id limit ${limit}`);
      return res.rows;
    },

    /** Which of these papers each reader has already been sent (or has queued): "never twice". */
    async received(subscriberIds: number[], paperIds: string[]): Promise<Map<number, Set<string>>> {
      const out = new Map<number, Set<string>>();
      if (!subscriberIds.length || !paperIds.length) return out;
      const res = await db.execute<{ subscriber_id: number; paper: string }>(sql`
        select d.subscriber_id, p.paper from deliveries d
        cross join lateral jsonb_array_elements_text(d.paper_ids) as p(paper)
        where d.subscriber_id = any(${sql.param(subscriberIds)}::bigint[])
          and d.status in ('queued', 'sending', 'sent')
          and p.paper = any(${sql.param(paperIds)}::text[])`);
      for (const r of res.rows) {
        const id = Number(r.subscriber_id);
        if (!out.has(id)) out.set(id, new Set());
        out.get(id)!.add(r.paper);
      }
      return out;
    },

    /** Inserts a page of assignments in one statement; a reader already assigned is left alone. Returns the new queued ids. */
    async assign(editionId: number, rows: Assignment[]): Promise<number[]> {
      if (!rows.length) return [];
      const col = <T>(f: (r: Assignment) => T) => sql.param(rows.map(f));
      const res = await db.execute<{ id: number; status: string }>(sql`
        insert into deliveries (edition_id, subscriber_id, render_id, paper_ids, status, last_response)
        select ${editionId}, v.subscriber_id, v.render_id, v.paper_ids::jsonb, v.status::delivery_status, v.reason
        from unnest(${col((r) => r.subscriberId)}::bigint[], ${col((r) => r.renderId)}::bigint[], ${col((r) => JSON.stringify(r.paperIds))}::text[],
                    ${col((r) => r.status)}::text[], ${col((r) => r.reason)}::text[])
          as v(subscriber_id, render_id, paper_ids, status, reason)
        on conflict (edition_id, subscriber_id) do nothing
        returning id, status`);
      return res.rows.filter((r) => r.status === 'queued').map((r) => Number(r.id)).sort((a, b) => a - b);
    },
  };
}

export type ReadersRepo = ReturnType<typeof createReadersRepo>;
