import type { Paper } from '../domain/paper.js';
import { sql } from 'drizzle-orm';
import type { NormalizedPaper } from '../domain/paper.js';
import type { Db } from './client.js';

export interface UpsertResult {
  added: number;
  updated: number;
}

const paperColumns = sql.raw(
  `id, title, abstract, authors, upvotes, comments, published_at as "publishedAt", featured_on as "featuredOn", links, summary,
   thumbnail, keywords, categories, organization, source, sources, source_rank as "sourceRank",
   first_seen_at as "firstSeenAt", vector, updated_at as "updatedAt"`,
);
// Upvotes, then comments, then the freshest; then the source's own trending order.
const RANKING = sql.raw(
  `coalesce(upvotes, 0) desc, coalesce(comments, 0) desc, coalesce(published_at, featured_on::timestamptz, first_seen_at) desc,
   source_rank asc nulls last, id`,
);

export interface SelectionWindow {
  /** Candidates were first seen or featured at most this many days before `now`. */
  days: number;
  now: Date;
}

export function createPapersRepo(db: Db) {
  return {
    /**
     * Inserts new papers and merges known ones in one statement (so one transaction): counts take the
     * newest known value, text and lists keep the richest, links merge, and sources accumulate.
     */
    async upsert(list: NormalizedPaper[]): Promise<UpsertResult> {
      if (!list.length) return { added: 0, updated: 0 };
      // A batch may list a paper twice; the last listing wins, as a later ingest would.
      const unique = [...new Map(list.map((p) => [p.id, p])).values()];
      const res = await db.execute<{ inserted: boolean }>(sql`
        insert into papers (id, title, abstract, authors, upvotes, comments, published_at, featured_on, links, summary,
                            thumbnail, keywords, categories, organization, source, sources, source_rank)
        select p.id, p.title, coalesce(p.abstract, ''), coalesce(p.authors, '[]'::jsonb), p.upvotes, p.comments,
               p."publishedAt", p."featuredOn", coalesce(p.links, '{}'::jsonb), p.summary, p.thumbnail,
               coalesce(p.keywords, '[]'::jsonb), coalesce(p.categories, '[]'::jsonb), p.organization,
               p.source, jsonb_build_array(p.source), p."sourceRank"
        from jsonb_to_recordset(${JSON.stringify(unique)}::jsonb) as p(id text, title text, abstract text, authors jsonb,
             upvotes int, comments int, "publishedAt" timestamptz, "featuredOn" date, links jsonb, summary text,
             thumbnail text, keywords jsonb, categories jsonb, organization text, source text, "sourceRank" int)
        on conflict (id) do update set
          title = excluded.title,
          abstract = case when length(excluded.abstract) >= length(papers.abstract) then excluded.abstract else papers.abstract end,
          authors = case when jsonb_array_length(excluded.authors) >= jsonb_array_length(papers.authors) then excluded.authors else papers.authors end,
          upvotes = coalesce(excluded.upvotes, papers.upvotes),
          comments = coalesce(excluded.comments, papers.comments),
          published_at = coalesce(excluded.published_at, papers.published_at),
          featured_on = coalesce(excluded.featured_on, papers.featured_on),
          links = papers.links || excluded.links,
          summary = coalesce(excluded.summary, papers.summary),
          thumbnail = coalesce(excluded.thumbnail, papers.thumbnail),
          keywords = case when jsonb_array_length(excluded.keywords) > 0 then excluded.keywords else papers.keywords end,
          categories = case when jsonb_array_length(excluded.categories) > 0 then excluded.categories else papers.categories end,
          organization = coalesce(excluded.organization, papers.organization),
          sources = case when papers.sources ? excluded.source then papers.sources else papers.sources || excluded.sources end,
          source_rank = coalesce(excluded.source_rank, papers.source_rank),
          updated_at = now()
        returning (xmax = 0) as inserted`);
      const added = res.rows.filter((r) => r.inserted).length;
      return { added, updated: res.rows.length - added };
    },

    /** An edition's candidate pool: papers first seen or featured within the window, ranked. */
    async selectPool(window: SelectionWindow, limit: number): Promise<Paper[]> {
      const since = new Date(window.now.getTime() - window.days * 86_400_000);
      const res = await db.execute<Paper>(sql`
        select ${paperColumns} from papers p
        where p.first_seen_at >= ${since.toISOString()} or p.featured_on >= ${since.toISOString()}::date
        order by ${RANKING} limit ${limit}`);
      return res.rows;
    },

    /** Loads papers by id, in the order given. */
    async byIds(ids: string[]): Promise<Paper[]> {
      if (!ids.length) return [];
      const res = await db.execute<Paper>(sql`select ${paperColumns} from papers where id = any(${sql.param(ids)}::text[])`);
      const byId = new Map(res.rows.map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id)).filter((p): p is Paper => Boolean(p));
    },

    /** Newest first (by publication, else first sighting), optionally only those since a moment. */
    async list(opts: { limit: number; since?: Date }): Promise<Paper[]> {
      const since = opts.since ? sql`where coalesce(published_at, first_seen_at) >= ${opts.since.toISOString()}` : sql``;
      const res = await db.execute<Paper>(sql`
        select ${paperColumns} from papers ${since}
        order by coalesce(published_at, first_seen_at) desc, id limit ${opts.limit}`);
      return res.rows;
    },

    /** The text of papers first seen since a moment (the corpus their vectors are computed over), newest first. */
    async texts(since: Date, limit: number): Promise<{ id: string; title: string; abstract: string; keywords: string[]; hasVector: boolean }[]> {
      const res = await db.execute<{ id: string; title: string; abstract: string; keywords: string[]; hasVector: boolean }>(sql`
        select id, title, abstract, keywords, vector is not null as "hasVector" from papers
        where first_seen_at >= ${since.toISOString()} order by first_seen_at desc, id limit ${limit}`);
      return res.rows;
    },

    /** Stores text vectors, in one statement. */
    async setVectors(vectors: Map<string, Record<string, number>>): Promise<void> {
      if (!vectors.size) return;
      const rows = [...vectors].map(([id, vector]) => ({ id, vector }));
      await db.execute(sql`
        update papers set vector = v.vector
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id text, vector jsonb)
        where papers.id = v.id`);
    },

    async count(): Promise<number> {
      const res = await db.execute<{ n: number }>(sql`select count(*)::int as n from papers`);
      return res.rows[0]!.n;
    },
  };
}

export type PapersRepo = ReturnType<typeof createPapersRepo>;
