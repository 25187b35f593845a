// Readers in control: personal lists rendered once per distinct list, never the same paper twice,
// preferences that take effect on the next edition, export and erase, and the public archive.
import { DOMParser } from '@xmldom/xmldom';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicMatcher } from '../../src/domain/topics.js';
import { createTokens } from '../../src/domain/tokens.js';
import { dumpDatabase } from '../helpers/dump.js';
import { mailedDataLink, PUBLIC_URL, startStack, subscribeAndConfirm, waitForEdition, type Stack } from '../helpers/stack.js';

let stack: Stack;
let tokens: ReturnType<typeof createTokens>;
const db = () => stack.served.runtime.database.db;
const idOf = async (email: string) => (await db().execute<{ id: number }>(sql`select id from subscribers where lower(email) = lower(${email})`)).rows[0]?.id;
const prefsUrl = async (email: string) => `/preferences/${tokens.sign((await idOf(email))!, 'preferences')}`;
const deliveries = async (editionId: number) =>
  (
    await db().execute<{ email: string; status: string; paper_ids: string[]; last_response: string | null }>(sql`
      select s.email, d.status, d.paper_ids, d.last_response from deliveries d join subscribers s on s.id = d.subscriber_id
      where d.edition_id = ${editionId} order by s.email`)
  ).rows;
const forceEdition = async () => {
  const res = await stack.admin('/editions', { frequency: 'daily', force: true });
  const { id } = (await res.json()) as { id: number };
  return { id, stats: (await waitForEdition(stack, id)) as unknown as { papers: string[]; renders: number; recipients: number; sent: number; skipped: number } };
};

const DIFF = 'diff@example.org';
const RL = 'rl@example.org';
const ALL = 'all@example.org';

beforeAll(async () => {
  stack = await startStack('postgres');
  tokens = createTokens(stack.env.SECRET!);
});
afterAll(async () => stack?.close());

describe('personal digests', () => {
  let first: Awaited<ReturnType<typeof forceEdition>>;

  it('gives each reader only papers matching their topics, from one render of the edition', async () => {
    // Topics from the signup form for one reader, from the preference center for another.
    const signup = await stack.http('/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: DIFF, frequency: 'daily', topics: 'diffusion' }).toString(),
    });
    expect(signup.status).toBe(200);
    const confirmMail = await stack.sink.waitFor((m) => m.some((x) => x.envelopeTo.includes(DIFF)));
    const link = /https:\/\/papermail\.test\/confirm\/\S+/.exec(confirmMail.find((x) => x.envelopeTo.includes(DIFF))!.parsed.text!)![0];
    expect((await stack.http(link, { method: 'POST' })).status).toBe(200);
    await subscribeAndConfirm(stack, RL);
    await subscribeAndConfirm(stack, ALL);
    const saved = await stack.http(await prefsUrl(RL), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ frequency: 'daily', topics: ['reinforcement learning'], send_hour: 8, timezone: 'UTC' }),
    });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ topics: ['reinforcement learning'] });

    // The welcome mail links the preferences and says what comes when.
    await stack.sink.waitFor((m) => m.filter((x) => x.parsed.subject === 'Welcome to papermail').length === 3);
    const welcome = stack.sink.messages.find((x) => x.parsed.subject === 'Welcome to papermail')!;
    expect(welcome.parsed.text).toMatch(/every day at 08:00, UTC time/);
    expect(welcome.parsed.text).toMatch(/https:\/\/papermail\.test\/preferences\/\S+/);
    expect(welcome.parsed.text).toMatch(/https:\/\/papermail\.test\/unsubscribe\/\S+/);

    first = await forceEdition();
    const rows = await deliveries(first.id);
    const byEmail = Object.fromEntries(rows.map((r) => [r.email, r]));
    const papers = new Map((await stack.served.runtime.repos.papers.byIds(first.stats.papers)).map((p) => [p.id, p]));
    expect(byEmail[ALL]!.paper_ids).toEqual(first.stats.papers.slice(0, 10));
    for (const [email, topic] of [[DIFF, 'diffusion'], [RL, 'reinforcement learning']] as const) {
      const list = byEmail[email]!.paper_ids;
      expect(list.length).toBeGreaterThan(0);
      expect(list.every((id) => topicMatcher([topic])(papers.get(id)!))).toBe(true);
      // In pool order: the best-ranked matches first.
      expect(list).toEqual(first.stats.papers.filter((id) => topicMatcher([topic])(papers.get(id)!)).slice(0, 10));
    }
    // Three distinct lists, one MJML render (in parts): each message is assembled from it.
    expect(new Set(rows.map((r) => r.paper_ids.join(','))).size).toBe(3);
    expect(first.stats.renders).toBe(1);

    // Each digest holds exactly its reader's papers and links its archive page and its preferences.
    const digests = stack.sink.messages.filter((m) => /^Trending papers/.test(m.parsed.subject ?? ''));
    expect(digests).toHaveLength(3);
    for (const d of digests) {
      const email = d.envelopeTo[0]!.toLowerCase();
      for (const id of byEmail[email]!.paper_ids) expect(d.parsed.text).toContain(papers.get(id)!.title);
      // A filtered digest says by which topics; the full one says nothing of the kind.
      if (email === ALL) expect(d.parsed.text).not.toContain('Filtered to your topics');
      else expect(d.parsed.text).toContain(`Filtered to your topics: ${email === DIFF ? 'diffusion' : 'reinforcement learning'}.`);
      expect(d.parsed.text).toContain(`View in browser: ${PUBLIC_URL}/archive/${first.id}`);
      expect(d.parsed.html).toContain(`href="${PUBLIC_URL}/archive/${first.id}"`);
      const prefs = new RegExp(`Manage preferences: ${PUBLIC_URL}/preferences/(\\S+)`).exec(d.parsed.text!)?.[1];
      expect(tokens.verify(prefs ?? '', 'preferences')?.subscriberId).toBe(await idOf(email));
    }
  });

  it('never sends a reader a paper they already received', async () => {
    const before = await deliveries(first.id);
    const next = await forceEdition();
    const after = await deliveries(next.id);
    for (const row of after) {
      const earlier = before.find((b) => b.email === row.email)!.paper_ids;
      expect(row.paper_ids.filter((p) => earlier.includes(p))).toEqual([]);
      if (row.status === 'skipped') expect(row.last_response).toMatch(/^skipped: /);
    }
    expect(after.find((r) => r.email === ALL)!.paper_ids).toEqual(next.stats.papers.slice(10, 20));
  });

  it('stops daily digests for readers who switch to weekly or paused', async () => {
    const weekly = await stack.http(await prefsUrl(DIFF), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ frequency: 'weekly', topics: 'diffusion', send_hour: '8', timezone: 'UTC' }).toString(),
    });
    expect(weekly.status).toBe(200);
    expect(await weekly.text()).toContain('Saved.');
    const paused = await stack.http(await prefsUrl(ALL), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'frequency=paused',
    });
    expect(paused.status).toBe(200);
    // A bad value changes nothing and says why.
    const bad = await stack.http(await prefsUrl(RL), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'frequency=daily&send_hour=25' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/0 to 23/);
    const next = await forceEdition();
    const rows = await deliveries(next.id);
    expect(rows.map((r) => r.email)).toEqual([RL]);
  });

  it('exports everything about a reader, then erases them so a dump no longer holds the address', async () => {
    const url = await prefsUrl(RL);
    // The preferences link only asks for a fresh link, mailed to the address itself.
    expect((await stack.http(`${url}/export`)).status).toBe(404);
    const data_ = await mailedDataLink(stack, RL, url);
    const exported = await stack.http(`${data_}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment/);
    const data = (await exported.json()) as { subscriber: { email: string }; consents: { kind: string }[]; deliveries: { paperIds: string[] }[] };
    expect(data.subscriber.email).toBe(RL);
    expect(data.consents.map((c) => c.kind)).toEqual(['signup', 'confirm', 'preferences']);
    expect(data.deliveries.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(data)).toContain(RL);
    expect(await dumpDatabase(db())).toContain(RL);

    // Erasing takes a second page; its GET changes nothing.
    const ask = await stack.http(`${data_}/erase`);
    expect(ask.status).toBe(200);
    expect(await ask.text()).toMatch(/Yes, erase everything/);
    expect(await dumpDatabase(db())).toContain(RL);
    const erased = await stack.http(`${data_}/erase`, { method: 'POST' });
    expect(erased.status).toBe(200);
    const dump = await dumpDatabase(db());
    expect(dump.toLowerCase()).not.toContain(RL);
    expect(dump).toMatch(/"reason":"erased"/);
    expect((await stack.http(`${data_}/export`)).status).toBe(404);
    expect((await stack.http(url)).status).toBe(404);

    // The next edition cannot reach the erased reader; signing up again through the form starts fresh.
    await subscribeAndConfirm(stack, RL);
    const fresh = (await stack.http(`${await mailedDataLink(stack, RL, await prefsUrl(RL))}/export`).then((r) => r.json())) as { deliveries: unknown[]; consents: unknown[] };
    expect(fresh.deliveries).toEqual([]);
    expect(fresh.consents).toHaveLength(2);
  });

  it('publishes an archive, web versions without personal data, and an RSS feed', async () => {
    const list = await stack.http('/archive');
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain(`href="/archive/${first.id}"`);
    const web = await stack.http(`/archive/${first.id}`);
    expect(web.status).toBe(200);
    const webHtml = await web.text();
    const [top] = await stack.served.runtime.repos.papers.byIds([first.stats.papers[0]!]);
    expect(webHtml).toContain(top!.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
    expect(webHtml).not.toMatch(/@example\.org|\/unsubscribe\/|\/preferences\/|pmslot/);
    // What a default reader got (DIGEST_SIZE papers), then the rest of the pool, and the way back.
    expect(webHtml).toContain('More papers from this edition');
    expect(webHtml).toContain('href="https://papermail.test/archive"');
    expect((await stack.http('/archive/999999')).status).toBe(404);
    expect((await stack.http('/archive/abc')).status).toBe(404);
    const rss = await stack.http('/archive.rss');
    expect(rss.headers.get('content-type')).toMatch(/application\/rss\+xml/);
    const doc = new DOMParser().parseFromString(await rss.text(), 'text/xml');
    const items = doc.getElementsByTagName('item');
    expect(doc.documentElement!.getAttribute('version')).toBe('2.0');
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items[items.length - 1]!.getElementsByTagName('link')[0]!.textContent).toBe(`${PUBLIC_URL}/archive/${first.id}`);
  });
});
