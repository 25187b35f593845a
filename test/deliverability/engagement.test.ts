// Engagement without pixels: a reader's last engagement moves only when a person does something (a POST on a
// feedback, confirm or preferences button). Every link of a digest fetched as mail scanners do (HEAD, then
// GET, with a scanner's user agent, at once) changes nobody's engagement and no edition's counts; the
// reader's own POST does, and the edition then counts one reader who acted and the paper they chose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, readerWithEveryMail, startStack, type Stack } from '../helpers/stack.js';

describe('engagement, from persons only', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('postgres');
  });
  afterAll(async () => stack?.close());

  const engagedAt = async (email: string) =>
    (await stack.served.runtime.database.pool.query<{ at: Date | null }>('select engaged_at as at from subscribers where email = $1', [email])).rows[0]!.at;
  const engagement = async (id: number) => ((await (await stack.admin(`/editions/${id}`)).json()) as { engagement: { readers: number; papers: { paperId: string; chosen: number }[] } }).engagement;

  it('is untouched by HEAD and scanner GETs of every link in a digest, and moved by the reader’s POST', async () => {
    const email = 'engaged@example.net';
    const { editionId } = await readerWithEveryMail(stack, email);
    // Confirming was a person's POST: the first engagement.
    const confirmed = await engagedAt(email);
    expect(confirmed).toBeInstanceOf(Date);

    const digest = stack.sink.to(email).find((m) => /^Trending papers/.test(m.parsed.subject ?? ''))!;
    const html = String(digest.parsed.html);
    const links = new Set<string>();
    for (const [, href] of html.matchAll(/href="([^"]+)"/g)) if (href!.startsWith(PUBLIC_URL)) links.add(href!.replace(/&amp;/g, '&'));
    for (const [url] of (digest.parsed.text ?? '').matchAll(/https:\/\/papermail\.test\/\S+/g)) links.add(url);
    for (const h of ['list-unsubscribe']) for (const [, url] of String(digest.parsed.headers.get(h) ?? '').matchAll(/<(https:[^>]+)>/g)) links.add(url!);
    expect(links.size).toBeGreaterThan(10);
    const scanner = { 'user-agent': 'Mozilla/5.0 (compatible; Barracuda Sentinel (EE))' };
    for (const url of links) {
      for (const method of ['HEAD', 'GET']) expect((await stack.http(url, { method, headers: scanner })).status, `${method} ${url}`).toBeLessThan(500);
    }
    expect(await engagedAt(email)).toEqual(confirmed);
    expect(await engagement(editionId)).toEqual({ readers: 0, papers: [] });
    // Still subscribed: no GET unsubscribed them either.
    expect((await stack.served.runtime.database.pool.query('select status from subscribers where email = $1', [email])).rows[0].status).toBe('active');

    // The reader presses "more like this" on the first paper: a POST.
    const feedback = /https:\/\/papermail\.test(\/feedback\/\S+)\?choice=more/.exec(digest.parsed.text ?? '')![1]!;
    const res = await stack.http(feedback, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'choice=more' });
    expect(res.status).toBe(200);
    const after = await engagedAt(email);
    expect(after!.getTime()).toBeGreaterThan(confirmed!.getTime());
    const counted = await engagement(editionId);
    expect(counted.readers).toBe(1);
    expect(counted.papers).toHaveLength(1);
    expect(counted.papers[0]!.chosen).toBe(1);
  });
});
