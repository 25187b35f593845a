// "Never twice" as the builder reads it: which papers of a pool each reader already had, one bit per place in
// the pool, both halves of the bits (places below and above 31), against real Postgres.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestRepos } from '../helpers/database.js';

const t = useTestRepos();

describe('readers.received', () => {
  it('answers per reader for every place of a 50-paper pool, leaving out failed and skipped rows and papers outside the pool', async () => {
    const { repos, db } = t;
    const pool = Array.from({ length: 50 }, (_, i) => `p${i}`);
    const readers = await db.db.execute<{ id: number }>(sql`
      insert into subscribers (email, status, frequency, confirmed_at)
      select 'had' || g || '@example.org', 'active', 'daily', now() from generate_series(1, 3) g returning id`);
    const [a, b, c] = readers.rows.map((r) => Number(r.id));
    const edition = await db.db.execute<{ id: number }>(sql`
      insert into editions (frequency, period, status) values ('daily', 'history', 'sent') returning id`);
    const e = Number(edition.rows[0]!.id);
    const row = (reader: number, slot: string, papers: string[], status = 'sent') => sql`
      insert into deliveries (edition_id, subscriber_id, status, paper_ids, slot)
      values (${e}, ${reader}, ${status}::delivery_status, ${JSON.stringify(papers)}::jsonb, ${slot})`;
    // Reader a: places 0, 30, 31, 49 over two deliveries, and a paper the pool does not hold.
    await db.db.execute(row(a!, 'daily:2026-11-01', ['p0', 'p30', 'elsewhere']));
    await db.db.execute(row(a!, 'daily:2026-11-02', ['p31', 'p49']));
    // Reader b: a queued delivery counts (it is on its way); a failed and a skipped one do not.
    await db.db.execute(row(b!, 'daily:2026-11-01', ['p5'], 'queued'));
    await db.db.execute(row(b!, 'daily:2026-11-02', ['p6'], 'failed'));
    await db.db.execute(row(b!, 'daily:2026-11-03', ['p7'], 'skipped'));

    const had = await repos.readers.received([a!, b!, c!], pool);
    const of = (reader: number) => pool.filter((p) => had.get(reader)?.has(p));
    expect(of(a!)).toEqual(['p0', 'p30', 'p31', 'p49']);
    expect(had.get(a!)!.has('elsewhere')).toBe(false);
    expect(of(b!)).toEqual(['p5']);
    expect(had.has(c!)).toBe(false);
    // Places count in the order given: the same papers, the pool reversed.
    const reversed = await repos.readers.received([a!], [...pool].reverse());
    expect(pool.filter((p) => reversed.get(a!)!.has(p))).toEqual(['p0', 'p30', 'p31', 'p49']);
    await expect(repos.readers.received([a!], Array.from({ length: 63 }, (_, i) => `q${i}`))).rejects.toThrow(/at most 62/);
  });
});
