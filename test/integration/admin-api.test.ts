// Every console action in the JSON admin API: editions with failures grouped by answer and "resend failed",
// subscribers searched and paged by keyset, CSV import (double opt-in, already consented, bad rows by line)
// and export, the preview of the next digest, and an ingest on demand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ADMIN_TOKEN, startStack, waitForEdition, type Stack } from '../helpers/stack.js';

let stack: Stack;
const db = () => stack.served.runtime.database.db;
const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;
const csvImport = (query: string, body: string, type = 'text/csv') =>
  stack.http(`/api/admin/subscribers/import?${query}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': type }, body });

beforeAll(async () => {
  stack = await startStack('postgres');
});
afterAll(async () => stack?.close());

describe('admin API', () => {
  it('imports CSV by double opt-in and as already consented, reporting bad rows by line', async () => {
    const bad = await csvImport('mode=consented', 'email\na@example.org\n');
    expect(bad.status).toBe(400);
    expect((await json<{ error: string }>(bad)).error).toMatch(/where these readers gave their consent/);
    expect((await csvImport('mode=sometimes', 'email\n')).status).toBe(400);
    expect((await csvImport('mode=double-opt-in', '{"email":"x@example.org"}', 'application/json')).status).toBe(415);
    expect((await json<{ error: string }>(csvImport('mode=double-opt-in', 'name\nBob\n'))).error).toMatch(/at least "email"/);

    const csv = '\uFEFFemail,frequency,topics,send_hour,timezone\r\nin1@example.org,weekly,diffusion; cs.CL,7,Asia/Tokyo\r\nbroken@,daily,,,\r\nin2@example.org,daily,,25,\r\nin3@example.org,,,,Mars/Base\r\n';
    const report = await json<{ invited: number; problems: { line: number; error: string }[] }>(csvImport('mode=double-opt-in', csv));
    expect(report.invited).toBe(1);
    expect(report.problems).toEqual([
      { line: 3, error: expect.stringMatching(/not a valid domain|such as name@example.org/) },
      { line: 4, error: expect.stringMatching(/hour/i) },
      { line: 5, error: expect.stringMatching(/time zone/) },
    ]);
    // A quote left open makes the rest unreadable: nothing is imported, and the answer says where.
    const open = await csvImport('mode=double-opt-in', 'email,topics\nq1@example.org,"diffusion\nq2@example.org,x\n');
    expect(open.status).toBe(400);
    expect((await json<{ error: string }>(open)).error).toMatch(/line \d/);
    expect(await stack.served.runtime.repos.subscribers.byEmail('q1@example.org')).toBeNull();
    const row = (await db().execute(sql`select status, frequency, topics, send_hour, timezone from subscribers where email = 'in1@example.org'`)).rows[0];
    expect(row).toEqual({ status: 'pending', frequency: 'weekly', topics: ['diffusion', 'cs.CL'], send_hour: 7, timezone: 'Asia/Tokyo' });
    await stack.sink.waitFor(() => stack.sink.to('in1@example.org').length === 1);
    const consent = (await db().execute(sql`select c.kind, c.form_version from consents c join subscribers s on s.id = c.subscriber_id where s.email = 'in1@example.org'`)).rows;
    expect(consent).toEqual([{ kind: 'signup', form_version: 'import: double opt-in' }]);

    const consented = await json<{ imported: number; skipped: { email: string; reason: string }[] }>(
      csvImport(`mode=consented&consent=${encodeURIComponent('our old list, exported 2026-11-01')}`, 'email\nold@example.org\nin1@example.org\n'),
    );
    expect(consented.imported).toBe(1);
    expect(consented.skipped).toEqual([{ line: 3, email: 'in1@example.org', reason: 'already on the list' }]);
    const old = (await db().execute(sql`select status, next_send_at is not null as scheduled from subscribers where email = 'old@example.org'`)).rows[0];
    expect(old).toEqual({ status: 'active', scheduled: true });
    // A suppressed address is never imported.
    await db().execute(sql`insert into suppressions (email, reason, source) values ('blocked@example.org', 'bounce', 'smtp')`);
    const blocked = await json<{ imported: number; skipped: { reason: string }[] }>(csvImport('mode=consented&consent=our+old+list', 'email\nblocked@example.org\n'));
    expect(blocked).toMatchObject({ imported: 0, skipped: [{ reason: 'suppressed' }] });
  });

  it('pages subscribers by keyset without gaps or repeats, searches, and exports the same as CSV', async () => {
    await db().execute(sql`
      insert into subscribers (email, status, frequency, confirmed_at)
      select 'page' || g || '@example.org', 'active', 'daily', now() from generate_series(1, 23) g`);
    const all: string[] = [];
    let after = 0;
    for (;;) {
      const page = await json<{ subscribers: { id: number; email: string }[]; next: number | null }>(stack.admin(`/subscribers?limit=5&after=${after}`));
      all.push(...page.subscribers.map((s) => s.email));
      if (page.next === null) break;
      after = page.next;
    }
    const total = Number((await db().execute<{ n: number }>(sql`select count(*) as n from subscribers`)).rows[0]!.n);
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    const found = await json<{ subscribers: { email: string; emailHash?: string }[] }>(stack.admin('/subscribers?search=PAGE1&status=active'));
    expect(found.subscribers.map((s) => s.email).sort()).toEqual(['page1@example.org', ...Array.from({ length: 10 }, (_, i) => `page${10 + i}@example.org`)].sort());
    expect(found.subscribers[0]!.emailHash).toBeUndefined();
    expect((await stack.admin('/subscribers?status=gone')).status).toBe(400);

    const csv = await (await stack.admin('/subscribers.csv?search=page')).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('email,status,frequency,topics,send_hour,send_day,timezone,created_at,confirmed_at,unsubscribed_at');
    expect(lines).toHaveLength(24);
    // The export imports as it is: everyone is already on the list.
    const again = await json<{ imported: number; skipped: unknown[]; problems: unknown[] }>(csvImport('mode=consented&consent=re-import+test', csv));
    expect(again).toMatchObject({ imported: 0, problems: [] });
    expect(again.skipped).toHaveLength(23);
  });

  it('shows failures grouped by answer, resends failed rows after a suppression is lifted, and previews', async () => {
    stack.sink.setRule((a) => (a.startsWith('page2') ? { code: 550, message: '5.1.1 Unknown user' } : undefined));
    const { id } = await json<{ id: number }>(stack.admin('/editions', { frequency: 'daily' }));
    const done = await waitForEdition(stack, id);
    expect(done.failed).toBe(5); // page2, page20..page23
    const stats = await json<{ failures: { answer: string; count: number }[] }>(stack.admin(`/editions/${id}`));
    expect(stats.failures).toEqual([expect.objectContaining({ answer: expect.stringMatching(/^550 5\.1\.1 Unknown user/), count: 5 })]);
    expect((await json<unknown[]>(stack.admin('/editions'))).length).toBeGreaterThanOrEqual(1);

    // Nobody may be mailed while suppressed: resend finds nothing.
    const none = await json<{ requeued: number }>(stack.admin(`/editions/${id}/resend-failed`, {}));
    expect(none.requeued).toBe(0);
    stack.sink.setRule(null);
    const lifted = await stack.http('/api/admin/suppressions/page2%40example.org', { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(lifted.status).toBe(200);
    const resent = await json<{ requeued: number }>(stack.admin(`/editions/${id}/resend-failed`, {}));
    expect(resent.requeued).toBe(1);
    const after = await waitForEdition(stack, id);
    expect(after).toMatchObject({ failed: 4, status: 'sent' });
    await stack.sink.waitFor(() => stack.sink.to('page2@example.org').length === 1);
    expect((await stack.admin('/editions/999999/resend-failed', {})).status).toBe(404);

    const preview = await stack.admin('/preview?frequency=weekly&email=in1%40example.org');
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toMatch(/text\/html/);
    expect(await preview.text()).toMatch(/<html/);
    expect((await stack.admin('/preview?email=nobody%40example.org')).status).toBe(404);
    const reader = await json<{ subscriber: { email: string }; deliveries: { status: string }[] }>(stack.admin(`/subscribers/${(await stack.served.runtime.repos.subscribers.byEmail('page2@example.org'))!.id}`));
    expect(reader.deliveries.map((d) => d.status)).toEqual(['sent']);
  });

  it("answers every request with its id: a proxy's X-Request-Id when it looks like one, a fresh one otherwise", async () => {
    expect((await stack.http('/health', { headers: { 'x-request-id': 'trace-42' } })).headers.get('x-request-id')).toBe('trace-42');
    const hostile = (await stack.http('/health', { headers: { 'x-request-id': 'a b<script>' } })).headers.get('x-request-id');
    expect(hostile).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('queues an ingest on demand, and refuses every new route without the token', async () => {
    expect((await stack.admin('/ingest', {})).status).toBe(202);
    for (const path of ['/overview', '/editions', '/subscribers', '/subscribers.csv', '/subscribers/1', '/preview']) {
      expect((await stack.http(`/api/admin${path}`)).status, path).toBe(401);
    }
    expect((await csvImport('mode=double-opt-in', 'email\nx@example.org\n', 'text/csv').then(() => stack.http('/api/admin/subscribers/import?mode=double-opt-in', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'email\nsneaky@example.org\n' }))).status).toBe(401);
    expect(await stack.served.runtime.repos.subscribers.byEmail('sneaky@example.org')).toBeNull();
  });

  it('takes an empty body, of any content type, on every route that needs none (what curl -X POST -H "Content-Type: application/json" sends)', async () => {
    const { id } = await json<{ id: number }>(stack.admin('/editions', { frequency: 'weekly', force: true }));
    await waitForEdition(stack, id);
    for (const type of ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', null]) {
      for (const [path, ok] of [[`/editions/${id}/resume`, 409], [`/editions/${id}/resend-failed`, 200], ['/ingest', 202]] as const) {
        const res = await stack.http(`/api/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(type ? { 'content-type': type } : {}) }, body: '' });
        expect(res.status, `${path} with ${type ?? 'no content type'}`).toBe(ok);
      }
    }
    // A body that is there must still be JSON.
    const broken = await stack.http(`/api/admin/editions/${id}/resume`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{oops' });
    expect(broken.status).toBe(400);
  });
});
