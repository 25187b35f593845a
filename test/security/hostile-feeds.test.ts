// Hostile fixtures for every source: javascript: and data: links, <script> in a title, CRLF in an author,
// an 80 KB title, a billion-laughs entity, deep JSON nesting, and a 50 MB body. Each is rejected or
// neutralised, one item at a time; parsing ends, and the 50 MB body is refused before it is held in memory.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDigest } from '../../src/digest/render-digest.js';
import { createFetcher, FetchError, MAX_FEED_BYTES } from '../../src/sources/fetcher.js';
import { ingestText } from '../../src/sources/ingest.js';
import { SourceError } from '../../src/sources/paper.js';
import type { SourceKind } from '../../src/sources/registry.js';
import { LIMITS } from '../../src/sources/sanitize.js';
import { useTestRepos } from '../helpers/database.js';

const t = useTestRepos();
const SCRIPT = '<script>alert(1)</script>';
const HUGE = 'A'.repeat(80 * 1024);
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One document per source, each holding the same hostile items. */
const DOCS: Record<Exclude<SourceKind, 'seed'>, string> = {
  hf: JSON.stringify([
    { paper: { id: '2611.00001', title: `Scripted ${SCRIPT}`, summary: 'x', authors: [{ name: 'Eve\r\nBcc: victim@example.org' }], upvotes: 1, githubRepo: 'javascript:alert(1)', projectPage: 'data:text/html,<script>alert(1)</script>' } },
    { paper: { id: '2611.00002', title: HUGE, summary: 'x', authors: [{ name: 'Ada' }], upvotes: 1 } },
  ]),
  json: JSON.stringify([
    { id: '2611.00001', title: `Scripted ${SCRIPT}`, authors: ['Eve\r\nBcc: victim@example.org'], links: { github: 'https://github.com/org/repo' } },
    { id: '2611.00002', title: HUGE, authors: ['Ada'] },
    { id: '2611.00003', title: 'Bad link', links: { github: 'javascript:alert(1)' } },
  ]),
  arxiv: `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
<entry><id>http://arxiv.org/abs/2611.00001v1</id><title>Scripted ${xmlEscape(SCRIPT)}</title><summary>x</summary>
<author><name>Eve&#13;&#10;Bcc: victim@example.org</name></author><published>2026-11-29T00:00:00Z</published>
<link href="https://arxiv.org/abs/2611.00001v1" rel="alternate" type="text/html"/><link href="javascript:alert(1)" rel="related" title="pdf"/>
<arxiv:doi>10.1/x</arxiv:doi></entry>
<entry><id>http://arxiv.org/abs/2611.00002v1</id><title>${HUGE}</title><summary>x</summary><author><name>Ada</name></author><published>2026-11-29T00:00:00Z</published>
<link href="data:text/html,x" rel="alternate" type="text/html"/></entry></feed>`,
  'arxiv-rss': `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
<item><title><![CDATA[Scripted ${SCRIPT}]]></title><link>javascript:alert(1)</link><description>arXiv:2611.00001v1 Announce Type: new
Abstract: x</description><guid isPermaLink="false">oai:arXiv.org:2611.00001v1</guid><dc:creator>Eve&#13;&#10;Bcc: victim@example.org</dc:creator></item>
<item><title>${HUGE}</title><link>https://arxiv.org/abs/2611.00002</link><description>arXiv:2611.00002v1 Announce Type: new
Abstract: x</description><guid isPermaLink="false">oai:arXiv.org:2611.00002v1</guid><dc:creator>Ada</dc:creator></item></channel></rss>`,
};

const stored = async () =>
  (await t.db.db.execute<{ id: string; title: string; authors: string[]; links: Record<string, string> }>(sql`select id, title, authors, links from papers order by id`)).rows;

describe.each(Object.keys(DOCS) as (keyof typeof DOCS)[])('a hostile %s document', (source) => {
  it('stores its items neutralised or not at all, and renders nothing that runs', async () => {
    await t.db.db.execute(sql`truncate papers cascade`);
    const report = await ingestText(t.repos.papers, source, DOCS[source], 'hostile');
    const rows = await stored();
    expect(rows.length).toBeGreaterThan(0);
    const dump = JSON.stringify(rows);
    expect(dump).not.toMatch(/javascript:|data:text|\\r|\\n/);
    for (const r of rows) {
      expect(r.title.length).toBeLessThanOrEqual(LIMITS.title + 1);
      for (const a of r.authors) expect(a).not.toMatch(/[\r\n]/);
    }
    expect(rows.some((r) => r.title.endsWith('…'))).toBe(true);
    // Unsafe links were dropped and counted, or their item refused with its reason (the RSS parser builds
    // links from the arXiv id and never reads <link>).
    if (source !== 'arxiv-rss') expect(report.droppedLinks + report.skipped.length).toBeGreaterThan(0);
    const papers = await t.repos.papers.byIds(rows.map((r) => r.id));
    const digest = await renderDigest(papers, { frequency: 'daily', day: '2026-11-30', siteHost: 'papermail.test' });
    expect(digest.html).not.toContain('<script>alert');
    expect(digest.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(digest.html).not.toMatch(/href="(?!https?:)/i);
    expect(digest.text).not.toMatch(/javascript:|data:text/);
  });
});

describe('hostile documents that must not parse', () => {
  let lol = '<!ENTITY lol "lol">';
  for (let i = 1; i <= 9; i++) lol += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
  it.each([
    ['arxiv', `<?xml version="1.0"?><!DOCTYPE feed [${lol}]><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2611.1v1</id><title>&lol9;</title></entry></feed>`],
    ['arxiv-rss', `<?xml version="1.0"?><!DOCTYPE rss [${lol}]><rss version="2.0"><channel><item><title>&lol9;</title></item></channel></rss>`],
    ['arxiv', `<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title></entry></feed>`],
  ] as [SourceKind, string][])('%s: a bomb or an external entity is refused with a SourceError, and nothing is stored', async (source, doc) => {
    await t.db.db.execute(sql`truncate papers cascade`);
    const before = process.memoryUsage().rss;
    await expect(ingestText(t.repos.papers, source, doc, 'bomb')).rejects.toBeInstanceOf(SourceError);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(await stored()).toEqual([]);
  });
});

describe('deeply nested JSON', () => {
  it.each([
    ['hf', `${'['.repeat(200_000)}${']'.repeat(200_000)}`],
    ['json', `{"papers": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`],
  ] as [SourceKind, string][])('%s: parses in bounded memory, and its item is refused with a reason', async (source, doc) => {
    await t.db.db.execute(sql`truncate papers cascade`);
    const before = process.memoryUsage().rss;
    const report = await ingestText(t.repos.papers, source, doc, 'nested');
    expect(report).toMatchObject({ added: 0, skipped: [{ ref: 'item 1' }] });
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(await stored()).toEqual([]);
  });
});

describe('a 50 MB body', () => {
  let server: Server;
  let base: string;
  const FIFTY_MB = 50 * 1024 * 1024;
  beforeAll(async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    server = createServer((req, res) => {
      // One path announces its length, the other streams without one (chunked): both must be cut off.
      if (req.url === '/announced') res.writeHead(200, { 'content-length': String(FIFTY_MB) });
      else res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const more = () => {
        while (sent < FIFTY_MB) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('error', () => {});
      more();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it.each(['/announced', '/streamed'])('%s is refused past 16 MB, not read whole, and not retried', async (path) => {
    const fetcher = createFetcher({ userAgent: 'papermail-test', timeoutMs: 30_000, retries: 3, sleep: async () => {} });
    const before = process.memoryUsage().rss;
    const err = await fetcher.fetchText(`${base}${path}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(String((err as Error).message)).toMatch(/larger than 16 MB/);
    expect(process.memoryUsage().rss - before).toBeLessThan(MAX_FEED_BYTES * 4);
  });
});
