// Paper selection for an edition, against real Postgres.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedPapers } from '../../src/runtime/seed.js';
import { useTestRepos } from '../helpers/database.js';

const window = () => ({ days: 2, now: new Date() });
const t = useTestRepos();

describe('selecting papers for an edition', () => {
  it('seeds idempotently', async () => {
    expect(await seedPapers(t.repos.papers)).toMatchObject({ total: 71, added: 71, updated: 0 });
    expect(await seedPapers(t.repos.papers)).toMatchObject({ total: 71, added: 0, updated: 71 });
    expect(await t.repos.papers.count()).toBe(71);
  });

  it('ranks the pool by upvotes, then recency, then the source order', async () => {
    await t.repos.papers.upsert([
      { id: '2401.00001', title: 'Old but loved', abstract: 'a', authors: ['X'], upvotes: 90, publishedAt: '2024-01-01T00:00:00Z', links: {}, source: 'test' },
      { id: '2401.00002', title: 'New and loved', abstract: 'a', authors: ['Y'], upvotes: 90, publishedAt: '2024-06-01T00:00:00Z', links: {}, source: 'test' },
      { id: '2401.00003', title: 'Some love', abstract: 'a', authors: [], upvotes: 5, links: {}, source: 'test' },
    ]);
    const picked = await t.repos.papers.selectPool(window(), 5);
    expect(picked.map((p) => p.title)).toEqual(['New and loved', 'Old but loved', 'Some love', 'Less is More: Focus Attention for Efficient DETR', 'Exploring Transformers for Open-world Instance Segmentation']);
    expect(picked[0]!.authors).toEqual(['Y']);
    expect(await t.repos.papers.selectPool(window(), 100)).toHaveLength(74);
  });

  it('only considers papers first seen or featured within the window, ranked by upvotes then comments', async () => {
    await t.db.db.execute(sql`update papers set first_seen_at = now() - interval '10 days'`);
    await t.repos.papers.upsert([
      { id: '2402.00001', title: 'Featured yesterday', abstract: '', authors: [], upvotes: 10, comments: 1, featuredOn: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), links: {}, source: 'test' },
      { id: '2402.00002', title: 'Same votes, more talk', abstract: '', authors: [], upvotes: 10, comments: 9, links: {}, source: 'test' },
    ]);
    await t.db.db.execute(sql`update papers set first_seen_at = now() - interval '10 days' where id = '2402.00001'`);
    const picked = await t.repos.papers.selectPool(window(), 10);
    expect(picked.map((p) => p.title)).toEqual(['Same votes, more talk', 'Featured yesterday']);
    expect(await t.repos.papers.selectPool({ days: 2, now: new Date(Date.now() + 5 * 86_400_000) }, 10)).toEqual([]);
  });

  it('keeps one edition per frequency and period, plus forced extras', async () => {
    const a = await t.repos.editions.ensure('daily', '2026-12-01', false);
    const b = await t.repos.editions.ensure('daily', '2026-12-01', false);
    const c = await t.repos.editions.ensure('daily', '2026-12-01', true);
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ created: false, edition: { id: a.edition.id } });
    expect(c.created).toBe(true);
    expect(c.edition.id).not.toBe(a.edition.id);
  });

  it('merges a re-ingested paper instead of duplicating it', async () => {
    await t.repos.papers.upsert([{ id: '2401.00003', title: 'Some love', abstract: 'a longer abstract', authors: ['P', 'Q'], upvotes: 12, links: { github: 'https://github.com/x/y' }, source: 'test' }]);
    const [p] = await t.repos.papers.byIds(['2401.00003']);
    expect(p).toMatchObject({ upvotes: 12, authors: ['P', 'Q'], abstract: 'a longer abstract', links: { github: 'https://github.com/x/y' }, sources: ['test'] });
    // A source that knows no upvotes (arXiv) keeps the count another source gave.
    await t.repos.papers.upsert([{ id: '2401.00003', title: 'Some love', abstract: 'short', authors: ['P'], links: { pdf: 'https://arxiv.org/pdf/2401.00003' }, source: 'arxiv' }]);
    const [q] = await t.repos.papers.byIds(['2401.00003']);
    expect(q).toMatchObject({ upvotes: 12, authors: ['P', 'Q'], abstract: 'a longer abstract', sources: ['test', 'arxiv'] });
    expect(q!.links).toMatchObject({ github: 'https://github.com/x/y', pdf: 'https://arxiv.org/pdf/2401.00003' });
    expect(await t.repos.papers.count()).toBe(76);
  });
});
