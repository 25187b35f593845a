import { sql } from 'drizzle-orm';
import type { Frequency } from '../config.js';
import type { NormalizedPaper } from '../sources/paper.js';
import type { Db } from './client.js';
import type { papers } from './schema.js';

export type Paper = typeof papers.$inferSelect;

export interface UpsertResult {
  added: number;
  updated: number;
}

const paperColumns = sql.raw(
  `id, title, abstract, authors, upvotes, published_at as "publishedAt", featured_on as "featuredOn", links, summary, source, source_rank as "sourceRank", first_seen_at as "firstSeenAt", updated_at as "updatedAt"`,
);
// Upvotes first; then the freshest; then the source's own trending order.
const RANKING = sql.raw(`upvotes desc, coalesce(published_at, featured_on::timestamptz) desc nulls last, source_rank asc nulls last, first_seen_at desc, id`);

export function createPapersRepo(db: Db) {
  return {
    /** Inserts new papers and refreshes known ones in one statement; never duplicates an id. */
    async upsert(list: NormalizedPaper[]): Promise<UpsertResult> {
      if (!list.length) return { added: 0, updated: 0 };
      const json = JSON.stringify(list);
      const res = await db.execute<{ inserted: boolean }>(sql`
        insert into papers (id, title, abstract, authors, upvotes, published_at, featured_on, links, summary, source, source_rank)
        select p.id, p.title, coalesce(p.abstract, ''), coalesce(p.authors, '[]'::jsonb), coalesce(p.upvotes, 0),
               p."publishedAt", p."featuredOn", coalesce(p.links, '{}'::jsonb), p.summary, p.source, p."sourceRank"
        from jsonb_to_recordset(${json}::jsonb) as p(id text, title text, abstract text, authors jsonb, upvotes int,
             "publishedAt" timestamptz, "featuredOn" date, links jsonb, summary text, source text, "sourceRank" int)
        on conflict (id) do update set
          title = excluded.title,
          abstract = case when length(excluded.abstract) >= length(papers.abstract) then excluded.abstract else papers.abstract end,
          authors = case when jsonb_array_length(excluded.authors) > 0 then excluded.authors else papers.authors end,
          upvotes = greatest(papers.upvotes, excluded.upvotes),
          published_at = coalesce(excluded.published_at, papers.published_at),
          featured_on = coalesce(excluded.featured_on, papers.featured_on),
          links = papers.links || excluded.links,
          summary = coalesce(excluded.summary, papers.summary),
          source_rank = coalesce(excluded.source_rank, papers.source_rank),
          updated_at = now()
        returning (xmax = 0) as inserted`);
      const added = res.rows.filter((r) => r.inserted).length;
      return { added, updated: res.rows.length - added };
    },

    /**
     * The top `limit` papers not yet in another edition of this frequency;
     * when every paper has been sent, the newest ones instead.
     */
    async selectForEdition(editionId: number, frequency: Frequency, limit: number): Promise<Paper[]> {
      const fresh = await db.execute<Paper>(sql`
        select ${paperColumns} from papers p
        where not exists (
          select 1 from editions e
          where e.frequency = ${frequency} and e.id <> ${editionId} and e.paper_ids ? p.id)
        order by ${RANKING} limit ${limit}`);
      if (fresh.rows.length) return fresh.rows;
      const newest = await db.execute<Paper>(sql`
        select ${paperColumns} from papers
        order by coalesce(published_at, featured_on::timestamptz, first_seen_at) desc, source_rank asc nulls last, id
        limit ${limit}`);
      return newest.rows;
    },

    /** Loads papers by id, in the order given. */
    async byIds(ids: string[]): Promise<Paper[]> {
      if (!ids.length) return [];
      const res = await db.execute<Paper>(sql`select ${paperColumns} from papers where id = any(${sql.param(ids)}::text[])`);
      const byId = new Map(res.rows.map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id)).filter((p): p is Paper => Boolean(p));
    },

    async count(): Promise<number> {
      const res = await db.execute<{ n: number }>(sql`select count(*)::int as n from papers`);
      return res.rows[0]!.n;
    },
  };
}

export type PapersRepo = ReturnType<typeof createPapersRepo>;
