// Paper sources end to end, in production mode (Postgres, Redis, SMTP): the ingest CLI against the
// running service, the scheduled ingest against a local server that fails, rate-limits and then
// answers, and the next digest ranking and linking what came in.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';
import { startStack, subscribeAndConfirm, waitForEdition, type Stack } from '../helpers/stack.js';

const root = new URL('../..', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures');
const kind = inject('redisUrl') ? 'redis' : 'postgres';

let stack: Stack;
let feeds: FeedServer;
const paperCount = async () => (await stack.served.runtime.database.db.execute<{ n: number }>(sql`select count(*)::int as n from papers`)).rows[0]!.n;
const cli = (...args: string[]) => spawnSync(join(root, 'node_modules/.bin/tsx'), ['src/main/cli/ingest.ts', ...args], { cwd: root, env: { ...process.env, ...stack.env }, encoding: 'utf8', timeout: 60_000 });
const adminPapers = async (query = '') => (await (await stack.admin(`/papers${query}`)).json()) as { id: string; upvotes: number | null; authors: string[]; links: Record<string, string>; sources: string[]; publishedAt: string | null }[];

beforeAll(async () => {
  feeds = await startFeedServer();
  stack = await startStack(kind, {
    // Another host name for HF, so arXiv's 3-second spacing does not slow it down.
    HF_API_URL: `${feeds.url.replace('127.0.0.1', 'localhost')}/api/daily_papers`,
    ARXIV_API_URL: `${feeds.url}/api/query`,
    PAPER_SOURCES: 'hf,arxiv:cs.LG+cs.CL',
    FETCH_TIMEOUT_MS: '2000',
    FETCH_RETRIES: '3',
  });
});
afterAll(async () => {
  await stack?.close();
  await feeds?.close();
});

describe(`ingest on BullMQ/${kind}`, () => {
  it('ingests HF and arXiv files through the CLI while the service runs, idempotently', async () => {
    const before = await paperCount();
    const hf = cli('--source', 'hf', '--file', join(fixtures, 'hf-daily-papers.json'));
    expect(hf.status, hf.stderr).toBe(0);
    expect(hf.stdout).toContain('4 seen, 2 added, 0 updated, 2 skipped');
    expect(hf.stdout).toContain('skipped 2605.06000: withdrawn');
    const ax = cli('--source', 'arxiv', '--file', join(fixtures, 'arxiv-query.atom'));
    expect(ax.status, ax.stderr).toBe(0);
    expect(ax.stdout).toContain('3 seen, 1 added, 1 updated, 1 skipped');
    expect(await paperCount()).toBe(before + 3);

    const papers = await adminPapers('?limit=500');
    const moe = papers.find((p) => p.id === '2605.08077')!;
    expect(moe).toMatchObject({ upvotes: 142, authors: ['Mira Okafor', 'Jonas Lindqvist', 'Priya Raman', 'Tomás Ferreira'], sources: ['hf', 'arxiv'] });
    expect(moe.links).toMatchObject({ hf: 'https://huggingface.co/papers/2605.08077', arxiv: 'https://arxiv.org/abs/2605.08077', github: 'https://github.com/example-lab/moe-distill' });
    expect(papers.find((p) => p.id === '2605.08100')).toMatchObject({ upvotes: null, authors: ['Lena Hoffmann'] });
    // Newest first, and `since` filters.
    expect(papers.filter((p) => p.id.startsWith('2605.')).map((p) => p.id)).toEqual(['2605.08077', '2605.08100', '2605.07311']);
    expect((await adminPapers('?since=2026-05-11T15:00:00Z&limit=500')).map((p) => p.id).filter((id) => id.startsWith('2605.'))).toEqual(['2605.08077']);
    expect((await stack.admin('/papers?limit=0')).status).toBe(400);

    for (const again of [cli('--source', 'hf', '--file', join(fixtures, 'hf-daily-papers.json')), cli('--source', 'arxiv', '--file', join(fixtures, 'arxiv-query.atom'))]) {
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/ 0 added, \d+ updated/);
    }
    expect(await paperCount()).toBe(before + 3);
  });

  it('refuses unreadable input with a clear message and stores nothing', async () => {
    const before = await paperCount();
    const missing = cli('--source', 'hf', '--file', '/no/such/file.json');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read \/no\/such\/file\.json/);
    const broken = cli('--source', 'arxiv', '--file', join(fixtures, 'hf-daily-papers.json'));
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/nothing stored: arxiv: not well-formed XML/);
    const usage = cli('--source', 'nope', '--file', 'x');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--source must be one of/);
    expect(await paperCount()).toBe(before);
  });

  it('runs the scheduled ingest through failures and rate limits, storing each paper once', async () => {
    const q = stack.served.runtime.producer.queues.ingest;
    expect(await q.getJobScheduler('ingest')).toMatchObject({ pattern: stack.env.INGEST_CRON });
    await stack.served.runtime.database.db.execute(sql`delete from papers where id like '2605.%'`);
    const before = await paperCount();
    const hfBody = readFileSync(join(fixtures, 'hf-daily-papers.json'), 'utf8');
    feeds.script('/api/daily_papers', [{ status: 500 }, { status: 429, headers: { 'retry-after': '1' } }, { body: hfBody, headers: { 'content-type': 'application/json' } }]);
    feeds.script('/api/query', [{ delayMs: 3000, body: 'too late' }, { body: readFileSync(join(fixtures, 'arxiv-query.atom'), 'utf8') }]);
    const runOnce = async () => {
      const job = await q.add('ingest', { kind: 'all' });
      return vi.waitFor(
        async () => {
          const state = await job.getState();
          if (state !== 'completed' && state !== 'failed') throw new Error(state);
          return state;
        },
        { timeout: 45_000, interval: 200 },
      );
    };
    expect(await runOnce()).toBe('completed');
    expect(await paperCount()).toBe(before + 3);
    // The scheduled ingest gives the new papers their text vectors (the readers' rankings read them).
    const vectors = await stack.served.runtime.database.db.execute<{ id: string; terms: number }>(sql`
      select id, (select count(*) from jsonb_object_keys(vector))::int as terms from papers where id like '2605.%' order by id`);
    expect(vectors.rows).toHaveLength(3);
    expect(vectors.rows.every((r) => r.terms > 3)).toBe(true);
    const hits = feeds.requests.filter((r) => r.path.startsWith('/api/daily_papers'));
    expect(hits.length).toBeGreaterThanOrEqual(3);
    expect(hits.every((r) => /^papermail\//.test(r.userAgent ?? ''))).toBe(true);
    expect(feeds.requests.some((r) => r.path.includes('search_query=cat:cs.LG+OR+cat:cs.CL'))).toBe(true);

    // A source that fails outright leaves stored papers untouched.
    feeds.script('/api/daily_papers', [{ status: 500 }]);
    feeds.script('/api/query', [{ body: '<feed xmlns="http://www.w3.org/2005/Atom"><entry>' }]);
    const upvotesBefore = (await adminPapers('?limit=500')).find((p) => p.id === '2605.08077')!.upvotes;
    expect(await runOnce()).toBe('failed');
    expect(await paperCount()).toBe(before + 3);
    expect((await adminPapers('?limit=500')).find((p) => p.id === '2605.08077')!.upvotes).toBe(upvotesBefore);
  });

  it('sends the next forced edition ranked by upvotes, linking each paper page and arXiv page, escaped', async () => {
    await subscribeAndConfirm(stack, 'reader@example.org');
    const res = await stack.admin('/editions', { frequency: 'daily', force: true });
    const { id } = (await res.json()) as { id: number };
    const stats = await waitForEdition(stack, id);
    expect(stats.papers.slice(0, 2)).toEqual(['2605.08077', '2605.07311']);
    const mail = await stack.sink.waitFor((m) => m.some((x) => x.parsed.subject?.startsWith('Trending papers')));
    const digest = mail.find((x) => x.parsed.subject?.startsWith('Trending papers'))!;
    const html = digest.parsed.html as string;
    expect(html).toContain('href="https://huggingface.co/papers/2605.08077"');
    expect(html).toContain('href="https://arxiv.org/abs/2605.08077"');
    expect(html).toContain('▲ 142 · 7 comments · Mira Okafor, Jonas Lindqvist, Priya Raman et al. · Example Lab');
    expect(html).toContain('Code ★873');
    expect(html).toContain('Diffusion Policies &lt;b&gt;without&lt;/b&gt; Demonstrations');
    expect(html).not.toContain('<script>alert(1)</script>');
    const text = digest.parsed.text!;
    expect(text.indexOf('Sparse Mixture-of-Experts')).toBeLessThan(text.indexOf('Diffusion Policies'));
    expect(text).toContain('Paper page: https://huggingface.co/papers/2605.08077');
    expect(text).toContain('arXiv: https://arxiv.org/abs/2605.08077');
  });

  it('sends nothing when no paper is new in the window, and records why', async () => {
    await stack.served.runtime.database.db.execute(sql`update papers set first_seen_at = now() - interval '30 days', featured_on = null`);
    // Digests only: an earlier test's welcome mail may still be on its way.
    const digests = () => stack.sink.messages.filter((m) => /Trending papers/.test(m.parsed.subject ?? '')).length;
    const before = digests();
    const res = await stack.admin('/editions', { frequency: 'daily', force: true });
    const { id } = (await res.json()) as { id: number };
    const stats = (await waitForEdition(stack, id)) as unknown as { status: string; note: string; recipients: number };
    expect(stats).toMatchObject({ status: 'empty', recipients: 0, note: 'no new papers first seen or featured in the last 2 days' });
    expect(digests()).toBe(before);
  });
});
