// Signups that arrive together share one statement and one commit (src/db/subscribers-repo.ts). Each still
// gets exactly what it would get alone: a new address a pending row, a consent and one confirmation owed;
// a suppressed one nothing; an erased one a fresh start; the same inbox twice in one batch one mail.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Signup as SignupInput } from '../../src/domain/signup.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('postgres');
});
afterAll(async () => stack?.close());

const input = (email: string, topics: string[] = []): SignupInput => ({
  email,
  frequency: 'daily',
  topics,
  timezone: 'Europe/Berlin',
  timezoneChosen: true,
  sendHour: 7,
  consent: { ip: '192.0.2.1', userAgent: 'test', formVersion: 'batch-test' },
});

describe('signups in one batch', () => {
  it('gives each signup what it would get alone', async () => {
    const { repos, database } = stack.served.runtime;
    const q = async (text: string, values: unknown[] = []) => (await database.pool.query(text, values)).rows;
    await repos.suppressions.suppress('bounced@example.org', 'hard-bounce', '550 5.1.1 no such user');
    // An erased reader leaves a hashed suppression: signing up again is a new opt-in.
    await repos.subscribers.signup(input('erased@example.org'));
    await vi.waitFor(() => expect(stack.sink.to('erased@example.org')).toHaveLength(1), { timeout: 15_000, interval: 100 });
    const [erased] = await q(`select id from subscribers where email = 'erased@example.org'`);
    const hash = (await q(`select email_hash from subscribers where id = $1`, [erased!.id]))[0]!.email_hash as string;
    await q(`delete from subscribers where id = $1`, [erased!.id]);
    await q(`insert into suppressions (email, reason, source) values ($1, 'erased', 'admin')`, [hash]);

    // All in one tick: one batch.
    const emails = ['new1@example.org', 'new2@example.org', 'Twice@Example.org', 'twice@example.org', 'bounced@example.org', 'erased@example.org'];
    const outcomes = await Promise.all(emails.map((e, i) => repos.subscribers.signup(input(e, [`topic ${i}`]))));
    expect(outcomes.map((o) => o.action)).toEqual(['confirm', 'confirm', 'confirm', 'none', 'none', 'confirm']);

    const rows = await q(`select lower(email) as email, status, topics, timezone, send_hour from subscribers where lower(email) = any($1) order by id`, [emails.map((e) => e.toLowerCase())]);
    expect(rows.map((r) => r.email)).toEqual(['new1@example.org', 'new2@example.org', 'twice@example.org', 'erased@example.org']);
    for (const r of rows) expect(r).toMatchObject({ status: 'pending', timezone: 'Europe/Berlin', send_hour: 7 });
    // Each row has its own topics (the batch joined inputs to rows correctly).
    expect(rows.map((r) => r.topics)).toEqual([['topic 0'], ['topic 1'], ['topic 2'], ['topic 5']]);
    const ids = outcomes.flatMap((o) => (o.action === 'confirm' ? [o.subscriberId] : []));
    expect(await q(`select subscriber_id from consents where kind = 'signup' and subscriber_id = any($1)`, [ids])).toHaveLength(4);
    // One confirmation mail each reaches the inbox (through the outbox and the queue), none to the bounce.
    const confirmations = (e: string) => stack.sink.to(e).filter((m) => /^Confirm/.test(m.parsed.subject ?? '')).length;
    await vi.waitFor(() => expect(['new1@example.org', 'new2@example.org', 'twice@example.org', 'erased@example.org'].map(confirmations)).toEqual([1, 1, 1, 2]), { timeout: 15_000, interval: 100 });
    expect(confirmations('bounced@example.org')).toBe(0);
    // The erased marker is gone; the bounce stays.
    expect(await q(`select reason from suppressions order by reason`)).toEqual([{ reason: 'hard-bounce' }]);

    // The same batch again: nobody gets a second mail inside the window.
    const again = await Promise.all(emails.map((e) => repos.subscribers.signup(input(e))));
    expect(again.map((o) => o.action)).toEqual(emails.map(() => 'none'));
  });

  it('answers a hundred concurrent signups with a hundred rows and a hundred confirmations', async () => {
    const emails = Array.from({ length: 100 }, (_, i) => `crowd${i}@example.net`);
    const outcomes = await Promise.all(emails.map((e) => stack.served.runtime.repos.subscribers.signup(input(e))));
    expect(outcomes.every((o) => o.action === 'confirm')).toBe(true);
    expect(new Set(outcomes.map((o) => (o.action === 'confirm' ? o.subscriberId : 0))).size).toBe(100);
    const owed = await stack.served.runtime.database.pool.query(`select count(*)::int as n from consents where subscriber_id = any($1)`, [outcomes.map((o) => (o.action === 'confirm' ? o.subscriberId : 0))]);
    expect(owed.rows[0].n).toBe(100);
  });
});
