// Paper selection for an edition, against real Postgres.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepos } from '../../src/jobs/deps.js';
import { seedPapers } from '../../src/db/seed.js';
import { createTestDatabase } from '../helpers/database.js';

const window = () => ({ days: 2, now: new Date() });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let repos: ReturnType<typeof createRepos>;
beforeAll(async () => {
  db = await createTestDatabase();
  repos = createRepos(db.db);
});
afterAll(async () => db?.drop());

describe('selecting papers for an edition', () => {
  it('seeds idempotently', async () => {
    expect(await seedPapers(repos.papers)).toMatchObject({ total: 71, added: 71, updated: 0 });
    expect(await seedPapers(repos.papers)).toMatchObject({ total: 71, added: 0, updated: 71 });
    expect(await repos.papers.count()).toBe(71);
  });

  it('takes the top by upvotes, then recency, then the source order', async () => {
    await repos.papers.upsert([
      { id: '2401.00001', title: 'Old but loved', abstract: 'a', authors: ['X'], upvotes: 90, publishedAt: '2024-01-01T00:00:00Z', links: {}, source: 'test' },
      { id: '2401.00002', title: 'New and loved', abstract: 'a', authors: ['Y'], upvotes: 90, publishedAt: '2024-06-01T00:00:00Z', links: {}, source: 'test' },
      { id: '2401.00003', title: 'Some love', abstract: 'a', authors: [], upvotes: 5, links: {}, source: 'test' },
    ]);
    const { edition } = await repos.editions.ensure('daily', '2026-11-29', false);
    const picked = await repos.papers.selectForEdition(edition.id, 'daily', 5, window());
    expect(picked.map((p) => p.title)).toEqual(['New and loved', 'Old but loved', 'Some love', 'Less is More: Focus Attention for Efficient DETR', 'Exploring Transformers for Open-world Instance Segmentation']);
    expect(picked[0]!.authors).toEqual(['Y']);
  });

  it('skips papers an earlier edition of the same frequency carried, and finds nothing once all were sent', async () => {
    const first = (await repos.editions.ensure('weekly', '2026-W48', false)).edition;
    const all = await repos.papers.selectForEdition(first.id, 'weekly', 100, window());
    expect(all).toHaveLength(74);
    await db.db.execute(sql`update editions set paper_ids = ${JSON.stringify(all.slice(0, 70).map((p) => p.id))}::jsonb where id = ${first.id}`);
    const second = (await repos.editions.ensure('weekly', '2026-W49', false)).edition;
    const rest = await repos.papers.selectForEdition(second.id, 'weekly', 10, window());
    expect(rest.map((p) => p.id)).toEqual(all.slice(70).map((p) => p.id));
    await db.db.execute(sql`update editions set paper_ids = ${JSON.stringify(all.map((p) => p.id))}::jsonb where id = ${first.id}`);
    expect(await repos.papers.selectForEdition(second.id, 'weekly', 10, window())).toEqual([]);
    // Daily editions do not count against weekly ones.
    const daily = (await repos.editions.ensure('daily', '2026-11-30', false)).edition;
    expect((await repos.papers.selectForEdition(daily.id, 'daily', 3, window())).map((p) => p.title)).toEqual(['New and loved', 'Old but loved', 'Some love']);
  });

  it('only considers papers first seen or featured within the window, ranked by upvotes then comments', async () => {
    await db.db.execute(sql`update papers set first_seen_at = now() - interval '10 days'`);
    await repos.papers.upsert([
      { id: '2402.00001', title: 'Featured yesterday', abstract: '', authors: [], upvotes: 10, comments: 1, featuredOn: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), links: {}, source: 'test' },
      { id: '2402.00002', title: 'Same votes, more talk', abstract: '', authors: [], upvotes: 10, comments: 9, links: {}, source: 'test' },
    ]);
    await db.db.execute(sql`update papers set first_seen_at = now() - interval '10 days' where id = '2402.00001'`);
    const e = (await repos.editions.ensure('daily', '2026-12-02', false)).edition;
    const picked = await repos.papers.selectForEdition(e.id, 'daily', 10, window());
    expect(picked.map((p) => p.title)).toEqual(['Same votes, more talk', 'Featured yesterday']);
    expect(await repos.papers.selectForEdition(e.id, 'daily', 10, { days: 2, now: new Date(Date.now() + 5 * 86_400_000) })).toEqual([]);
  });

  it('keeps one edition per frequency and period, plus forced extras', async () => {
    const a = await repos.editions.ensure('daily', '2026-12-01', false);
    const b = await repos.editions.ensure('daily', '2026-12-01', false);
    const c = await repos.editions.ensure('daily', '2026-12-01', true);
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ created: false, edition: { id: a.edition.id } });
    expect(c.created).toBe(true);
    expect(c.edition.id).not.toBe(a.edition.id);
  });

  it('merges a re-ingested paper instead of duplicating it', async () => {
    await repos.papers.upsert([{ id: '2401.00003', title: 'Some love', abstract: 'a longer abstract', authors: ['P', 'Q'], upvotes: 12, links: { github: 'https://github.com/x/y' }, source: 'test' }]);
    const [p] = await repos.papers.byIds(['2401.00003']);
    expect(p).toMatchObject({ upvotes: 12, authors: ['P', 'Q'], abstract: 'a longer abstract', links: { github: 'https://github.com/x/y' }, sources: ['test'] });
    // A source that knows no upvotes (arXiv) keeps the count another source gave.
    await repos.papers.upsert([{ id: '2401.00003', title: 'Some love', abstract: 'short', authors: ['P'], links: { pdf: 'https://arxiv.org/pdf/2401.00003' }, source: 'arxiv' }]);
    const [q] = await repos.papers.byIds(['2401.00003']);
    expect(q).toMatchObject({ upvotes: 12, authors: ['P', 'Q'], abstract: 'a longer abstract', sources: ['test', 'arxiv'] });
    expect(q!.links).toMatchObject({ github: 'https://github.com/x/y', pdf: 'https://arxiv.org/pdf/2401.00003' });
    expect(await repos.papers.count()).toBe(76);
  });
});
