import type { FeedbackChoice, MarkedPaper } from '../domain/reader.js';
import { sql } from 'drizzle-orm';
import type { Choice } from '../domain/ranking.js';
import type { Db } from './client.js';

/** The choices a ranking reads per reader: the newest ones, enough to learn from, bounded. */
const CHOICES_PER_READER = 200;

export function createFeedbackRepo(db: Db) {
  return {
    /** Records a reader's choice on a paper; the last one wins. False when the reader or the paper is gone. */
    async record(subscriberId: number, paperId: string, choice: FeedbackChoice, at: Date): Promise<boolean> {
      // A choice is a person's POST: it is the reader's latest engagement too.
      const res = await db.execute(sql`
        with f as (
          insert into feedback (subscriber_id, paper_id, choice, at)
          select s.id, p.id, ${choice}, ${at.toISOString()}::timestamptz
          from subscribers s, papers p where s.id = ${subscriberId} and p.id = ${paperId}
          on conflict (subscriber_id, paper_id) do update set choice = excluded.choice, at = excluded.at
          returning subscriber_id)
        update subscribers set engaged_at = ${at.toISOString()}::timestamptz where id in (select subscriber_id from f)`);
      return (res.rowCount ?? 0) > 0;
    },

    /** Takes a choice back (a person's POST too: the reader's latest engagement). */
    async remove(subscriberId: number, paperId: string): Promise<void> {
      await db.execute(sql`
        with f as (delete from feedback where subscriber_id = ${subscriberId} and paper_id = ${paperId} returning subscriber_id)
        update subscribers set engaged_at = now() where id = ${subscriberId}`);
    },

    /** A reader's current choice on one paper, if any. */
    async choiceOf(subscriberId: number, paperId: string): Promise<FeedbackChoice | null> {
      const res = await db.execute<{ choice: FeedbackChoice }>(sql`select choice from feedback where subscriber_id = ${subscriberId} and paper_id = ${paperId}`);
      return res.rows[0]?.choice ?? null;
    },

    /**
     * The newest choices of each of these readers, with each paper's title and vector (`vectors` caches
     * them across calls: an edition's readers like the same papers).
     */
    async choices(subscriberIds: number[], vectors: Map<string, { title: string; vector: Record<string, number> | null }>): Promise<Map<number, Choice[]>> {
      const out = new Map<number, Choice[]>();
      if (!subscriberIds.length) return out;
      const res = await db.execute<{ subscriber_id: string | number; paper_id: string; choice: FeedbackChoice; at: string | Date }>(sql`
        select s.id as subscriber_id, f.paper_id, f.choice, f.at
        from unnest(${sql.param(subscriberIds)}::bigint[]) as s(id)
        cross join lateral (
          select paper_id, choice, at from feedback where subscriber_id = s.id order by at desc limit ${CHOICES_PER_READER}
        ) f`);
      if (!res.rows.length) return out;
      const missing = [...new Set(res.rows.map((r) => r.paper_id))].filter((id) => !vectors.has(id));
      if (missing.length) {
        const papers = await db.execute<{ id: string; title: string; vector: Record<string, number> | null }>(sql`
          select id, title, vector from papers where id = any(${sql.param(missing)}::text[])`);
        for (const p of papers.rows) vectors.set(p.id, { title: p.title, vector: p.vector });
      }
      for (const r of res.rows) {
        const id = Number(r.subscriber_id);
        const paper = vectors.get(r.paper_id);
        const list = out.get(id) ?? [];
        list.push({ paperId: r.paper_id, title: paper?.title ?? r.paper_id, choice: r.choice, at: new Date(r.at), vector: paper?.vector ?? null });
        out.set(id, list);
      }
      return out;
    },

    /** The papers a reader marked, newest choice first: the reading list ("more") and the hidden ones ("less"). */
    async marked(subscriberId: number, choice?: FeedbackChoice): Promise<MarkedPaper[]> {
      const res = await db.execute<MarkedPaper['paper'] & { choice: FeedbackChoice; at: string | Date }>(sql`
        select p.id, p.title, p.authors, p.abstract, p.links, p.published_at as "publishedAt", p.first_seen_at as "firstSeenAt",
               p.categories, f.choice, f.at
        from feedback f join papers p on p.id = f.paper_id
        where f.subscriber_id = ${subscriberId} ${choice ? sql`and f.choice = ${choice}` : sql``}
        order by f.at desc, p.id limit 1000`);
      return res.rows.map(({ choice: c, at, ...paper }) => ({ paper, choice: c, at: new Date(at) }));
    },
  };
}

