// A hostile Hugging Face document against real Postgres: script links and control characters in items are
// cleaned or dropped item by item, the good items are stored, and the digest renders no unsafe href.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { renderDigest } from '../../src/digest/render-digest.js';
import { ingestText } from '../../src/sources/ingest.js';
import { useTestRepos } from '../helpers/database.js';

const t = useTestRepos();

const item = (id: string, paper: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  paper: { id, title: `Paper ${id}`, summary: 'An abstract.', authors: [{ name: 'Ada Lovelace' }], upvotes: 10, ...paper },
  ...extra,
});

describe('a hostile feed', () => {
  it('stores the good items, drops script links, strips control characters, and renders no unsafe href', async () => {
    const doc = JSON.stringify([
      item('2605.10001', { githubRepo: 'javascript:alert(document.cookie)', projectPage: 'data:text/html,<script>alert(1)</script>' }),
      item('2605.10002', { title: 'Null\u0000 and escape\u001b[31m in a title', authors: [{ name: 'Eve\r\nBcc: victim@example.org' }] }),
      item('2605.10003', { title: '\u0000\u0001' }),
      item('2605.10004', { githubRepo: 'https://user:pw@github.com/org/repo', projectPage: 'https://example.org/project' }, { thumbnail: 'javascript:x' }),
    ]);
    const report = await ingestText(t.repos.papers, 'hf', doc, 'hostile.json');
    expect(report).toMatchObject({ seen: 4, added: 3, droppedLinks: 3 });
    expect(report.skipped).toEqual([{ ref: '2605.10003', reason: 'no title left after removing control characters' }]);

    const stored = await t.db.db.execute<{ id: string; title: string; authors: string[]; links: Record<string, string>; thumbnail: string | null }>(sql`
      select id, title, authors, links, thumbnail from papers order by id`);
    const dump = JSON.stringify(stored.rows);
    expect(dump).not.toMatch(/javascript:|data:text|\\u0000|\\u001b|user:pw/);
    const byId = new Map(stored.rows.map((r) => [r.id, r]));
    expect(byId.get('2605.10001')!.links).not.toHaveProperty('github');
    expect(byId.get('2605.10002')!.title).toBe('Null and escape[31m in a title');
    expect(byId.get('2605.10004')!.links).toMatchObject({ github: 'https://github.com/org/repo', project: 'https://example.org/project' });
    expect(byId.get('2605.10004')!.thumbnail).toBeNull();

    // A row written before the policy (or by hand) still renders without an unsafe href.
    await t.db.db.execute(sql`update papers set links = links || '{"project": "javascript:alert(2)"}'::jsonb where id = '2605.10001'`);
    const papers = await t.repos.papers.byIds(['2605.10001', '2605.10002', '2605.10004']);
    const rendered = await renderDigest(papers, { frequency: 'daily', day: '2026-11-30', siteHost: 'papermail.test' });
    expect(rendered.html).not.toMatch(/javascript:|data:text/i);
    expect(rendered.text).not.toMatch(/javascript:|data:text/i);
    expect(rendered.html).toContain('https://github.com/org/repo');
  });
});
