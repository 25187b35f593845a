// What the security review found about consent and exports: an old confirmation link cannot confirm a
// newer signup; no CSV cell starts a spreadsheet formula; a reader's export holds the bounces heard for
// their address; the network traces of stale signups and of readers who left are forgotten.
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens } from '../../src/domain/tokens.js';
import { ADMIN_TOKEN, mailedDataLink, startStack, subscribeAndConfirm, type Stack } from '../helpers/stack.js';

let stack: Stack;
const db = () => stack.served.runtime.database.db;
const rowOf = async (email: string) =>
  (await db().execute<{ id: number; status: string; topics: string[] }>(sql`select id, status::text, topics from subscribers where email = ${email}`)).rows[0];
const confirmLinks = (email: string) =>
  stack.sink
    .to(email)
    .filter((m) => /Confirm/.test(m.parsed.subject ?? ''))
    .map((m) => /https:\/\/papermail\.test(\/confirm\/\S+)/.exec(m.parsed.text ?? '')![1]!);
const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

beforeAll(async () => {
  stack = await startStack('postgres', { RETENTION_DAYS: '30' });
});
afterAll(async () => stack?.close());

describe('consent', () => {
  it('an old confirmation link does not activate a later signup: it says so, and the newest mail confirms', async () => {
    await subscribeAndConfirm(stack, 'bob@example.org');
    const [first] = confirmLinks('bob@example.org');
    const bob = (await rowOf('bob@example.org'))!;
    const unsubscribe = `/unsubscribe/${createTokens(stack.env.SECRET!).sign(bob.id, 'unsubscribe')}`;
    expect((await stack.http(unsubscribe, form({ 'List-Unsubscribe': 'One-Click' }))).status).toBe(200);
    expect((await rowOf('bob@example.org'))!.status).toBe('unsubscribed');

    // Someone else signs Bob up again, with topics of their choosing, and replays Bob's first link.
    expect((await stack.http('/subscribe', form({ email: 'bob@example.org', frequency: 'daily', topics: 'robotics' }))).status).toBe(200);
    expect((await rowOf('bob@example.org'))!.status).toBe('pending');
    for (const method of ['GET', 'POST']) {
      const replayed = await stack.http(first!, { method });
      expect(replayed.status, method).toBe(410);
      expect(await replayed.text()).toMatch(/This link is no longer valid/);
    }
    expect((await rowOf('bob@example.org'))!.status).toBe('pending');
    expect(await db().execute(sql`select count(*)::int as n from consents c join subscribers s on s.id = c.subscriber_id where s.email = 'bob@example.org' and c.kind = 'confirm'`)).toMatchObject({ rows: [{ n: 1 }] });

    // The new signup mailed Bob a new link; only Bob, holding it, can confirm.
    await stack.sink.waitFor(() => confirmLinks('bob@example.org').length === 2);
    const second = confirmLinks('bob@example.org')[1]!;
    expect(second).not.toBe(first);
    expect((await stack.http(second, { method: 'POST' })).status).toBe(200);
    expect((await rowOf('bob@example.org'))!.status).toBe('active');
  });
});

describe('CSV', () => {
  it('no exported cell begins with =, +, - or @, whatever a row holds; and signup refuses formula-shaped addresses', async () => {
    const refused = await stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: "=cmd|'/Ccalc'!A0+@example.org" }) });
    expect(refused.status).toBe(400);
    expect(await rowOf("=cmd|'/Ccalc'!A0+@example.org")).toBeUndefined();
    // Rows written around the form (an old import, a hand-edited table) still export safely.
    const hostile = ["=cmd|'/Ccalc'!A0@example.org", '+1+1@example.org', '-2+3@example.org', '@SUM(1)@example.org', '\tx@example.org'];
    await stack.served.runtime.database.pool.query(
      `insert into subscribers (email, status, frequency, topics, timezone) select e, 'active', 'daily', '["=HYPERLINK(\\"http://evil\\")", "-x"]'::jsonb, '+01:00' from unnest($1::text[]) e`,
      [hostile],
    );
    for (const path of ['/api/admin/subscribers.csv']) {
      const res = await stack.http(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(200);
      const cells = (parse(await res.text(), { relax_column_count: true }) as string[][]).flat();
      expect(cells.length).toBeGreaterThan(hostile.length * 10);
      expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
      for (const h of hostile) expect(cells).toContain(`'${h}`);
    }
    // An exported file imports again as it was: the apostrophe comes off.
    const imported = await stack.http('/api/admin/subscribers/import?mode=double-opt-in', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' },
      body: "email\n'-dash@example.org\n",
    });
    expect(await imported.json()).toMatchObject({ invited: 1, problems: [] });
    expect(await rowOf('-dash@example.org')).toMatchObject({ status: 'pending' });
  });
});

describe('privacy', () => {
  it("a reader's export holds the bounces and complaints heard for their address", async () => {
    await subscribeAndConfirm(stack, 'exported@example.org');
    await stack.served.runtime.repos.suppressions.record({ email: 'exported@example.org', kind: 'soft', source: 'webhook', detail: 'Mailbox full' }, 3);
    const bob = (await rowOf('exported@example.org'))!;
    const data = await mailedDataLink(stack, 'exported@example.org', `/preferences/${createTokens(stack.env.SECRET!).sign(bob.id, 'preferences')}`);
    const exported = (await (await stack.http(`${data}/export`)).json()) as { bounces: { kind: string; detail: string }[] };
    expect(exported.bounces).toEqual([expect.objectContaining({ kind: 'soft', source: 'webhook', detail: 'Mailbox full' })]);
  });

  it('forgets the IP and browser of signups never confirmed and of readers gone for RETENTION_DAYS, keeping when and what they agreed to', async () => {
    const pool = stack.served.runtime.database.pool;
    await pool.query(
      `insert into subscribers (email, status, frequency, consent_at, consent_ip, unsubscribed_at, confirmed_at)
       values ('stale@example.org', 'pending', 'daily', now() - interval '31 days', '203.0.113.9', null, null),
              ('young@example.org', 'pending', 'daily', now() - interval '2 days', '203.0.113.10', null, null),
              ('left@example.org', 'unsubscribed', 'daily', now() - interval '400 days', '203.0.113.11', now() - interval '31 days', now() - interval '399 days'),
              ('stays@example.org', 'active', 'daily', now() - interval '400 days', '203.0.113.12', null, now() - interval '399 days')`,
    );
    await pool.query(
      `insert into consents (subscriber_id, kind, ip, user_agent, form_version, at)
       select id, 'signup', consent_ip, 'Mozilla/5.0', 'signup-form-v3', consent_at from subscribers where email in ('stale@example.org', 'young@example.org', 'left@example.org', 'stays@example.org')`,
    );
    await stack.served.runtime.producer.queues.digest.add('retention', { kind: 'retention' });
    const traces = async () =>
      (
        await pool.query(
          `select s.email, s.consent_ip, c.ip, c.user_agent, c.form_version, c.at is not null as dated from subscribers s join consents c on c.subscriber_id = s.id
           where s.email in ('stale@example.org', 'young@example.org', 'left@example.org', 'stays@example.org') order by s.email`,
        )
      ).rows;
    await expect.poll(async () => (await traces()).find((r) => r.email === 'stale@example.org')?.ip, { timeout: 20_000 }).toBeNull();
    expect(await traces()).toEqual([
      { email: 'left@example.org', consent_ip: null, ip: null, user_agent: null, form_version: 'signup-form-v3', dated: true },
      { email: 'stale@example.org', consent_ip: null, ip: null, user_agent: null, form_version: 'signup-form-v3', dated: true },
      { email: 'stays@example.org', consent_ip: '203.0.113.12', ip: '203.0.113.12', user_agent: 'Mozilla/5.0', form_version: 'signup-form-v3', dated: true },
      { email: 'young@example.org', consent_ip: '203.0.113.10', ip: '203.0.113.10', user_agent: 'Mozilla/5.0', form_version: 'signup-form-v3', dated: true },
    ]);
  });
});
