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

/** Who gets an edition: everyone now (admin), or only readers whose local hour has come. */
export type Audience = { kind: 'all' } | { kind: 'due'; at: Date };

export function createReadersRepo(db: Db) {
  return {
    /**
     * A keyset page of active, unsuppressed readers of a frequency who have no delivery of this edition
     * yet; with a 'due' audience only those whose local time is at their send hour (weeklies on Monday).
     */
    async targets(editionId: number, frequency: Frequency, audience: Audience, afterId: number, limit: number): Promise<Target[]> {
      const due =
        audience.kind === 'all'
          ? sql``
          : sql`and extract(hour from (${audience.at.toISOString()}::timestamptz at time zone s.timezone)) = s.send_hour
                ${frequency === 'weekly' ? sql`and extract(isodow from (${audience.at.toISOString()}::timestamptz at time zone s.timezone)) = 1` : sql``}`;
      const res = await db.execute<Target>(sql`
        select s.id, s.email, s.topics, s.max_papers as "maxPapers" from subscribers s
        where s.status = 'active' and s.frequency = ${frequency} and s.id > ${afterId}
          and not exists (select 1 from suppressions x where x.email = lower(s.email) or x.email = s.email_hash)
          and not exists (select 1 from deliveries d where d.edition_id = ${editionId} and d.subscriber_id = s.id)
          ${due}
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
