// Signup abuse against the whole service: 100 rapid signups from one IP, 100 plus-addressed signups for one
// inbox from 100 IPs behind the documented proxy, and a flood past the service-wide ceiling. The limits hold,
// no extra mail leaves, nothing is stored for what was refused, and real signups afterwards still work.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { serve } from '../../src/runtime/serve.js';
import { startStack, type Stack } from '../helpers/stack.js';

const form = (email: string) => new URLSearchParams({ email, frequency: 'daily' }).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const settle = () => new Promise((r) => setTimeout(r, 1500));
const count = async (stack: Stack, where: string) =>
  (await stack.served.runtime.database.pool.query(`select count(*)::int as n from subscribers where ${where}`)).rows[0].n as number;

describe('per-IP and per-inbox limits (defaults: 5 a minute, 30 an hour, 3 mails an inbox a day)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('postgres', { SIGNUP_LIMIT_PER_MINUTE: '5', SIGNUP_LIMIT_PER_HOUR: '30', SIGNUP_MAILBOX_PER_DAY: '3', TRUST_PROXY: 'true' });
  });
  afterAll(async () => stack?.close());
  afterEach(() => vi.restoreAllMocks());

  it('lets 5 of 100 rapid signups from one IP through, answers the rest 429, and sends 5 mails', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' }, body: JSON.stringify({ email: `one-ip-${i}@example.org` }) }),
      ),
    );
    const codes = answers.map((r) => r.status);
    expect(codes.filter((c) => c === 202)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(95);
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ statusCode: 429, error: expect.stringMatching(/Too many signups from your network/) });
    // A person gets a page that says what happened and what to do.
    const page = await stack.http('/subscribe', { method: 'POST', headers: { ...FORM, 'x-forwarded-for': '198.51.100.7' }, body: form('person@example.org') });
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<h1>Please slow down<\/h1>[\s\S]*Please wait [^<]+ and try again/);

    await stack.sink.waitFor((m) => m.filter((x) => /^one-ip-/.test(x.envelopeTo[0]!)).length >= 5);
    await settle();
    expect(stack.sink.messages.filter((x) => /^one-ip-|^person@/.test(x.envelopeTo[0]!))).toHaveLength(5);
    expect(await count(stack, `email like 'one-ip-%' or email = 'person@example.org'`)).toBe(5);

    // Once the minute is over, the same IP signs up again (the hour's budget of 30 is not spent).
    const later = Date.now() + 61_000;
    vi.spyOn(Date, 'now').mockImplementation(() => later);
    const again = await stack.http('/subscribe', { method: 'POST', headers: { ...FORM, 'x-forwarded-for': '198.51.100.7' }, body: form('after-the-minute@example.org') });
    vi.restoreAllMocks();
    expect(again.status).toBe(200);
    await stack.sink.waitFor((m) => m.some((x) => x.envelopeTo.includes('after-the-minute@example.org')));
  });

  it('sends one inbox at most 3 confirmations, however it is spelled and from however many IPs', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        stack.http('/subscribe', {
          method: 'POST',
          headers: { ...FORM, 'x-forwarded-for': `203.0.113.${i + 1}` },
          body: form(i % 2 ? `flood+${i}@victim.example` : `FLOOD+${i}@Victim.Example`),
        }),
      ),
    );
    // Every one gets the same neutral answer: the sender learns nothing.
    expect(new Set(answers.map((r) => r.status))).toEqual(new Set([200]));
    await stack.sink.waitFor((m) => m.filter((x) => /victim\.example$/i.test(x.envelopeTo[0]!)).length >= 3);
    await settle();
    expect(stack.sink.messages.filter((x) => /victim\.example$/i.test(x.envelopeTo[0]!))).toHaveLength(3);
    expect(await count(stack, `lower(email) like 'flood+%@victim.example'`)).toBe(3);
    // Another inbox at the same domain is not held back by it.
    const other = await stack.http('/subscribe', { method: 'POST', headers: { ...FORM, 'x-forwarded-for': '203.0.113.201' }, body: form('colleague@victim.example') });
    expect(other.status).toBe(200);
    await stack.sink.waitFor((m) => m.some((x) => x.envelopeTo.includes('colleague@victim.example')));
  });
});

describe('the service-wide ceiling on confirmation mails (CONFIRM_MAILS_PER_HOUR=5)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('postgres', { CONFIRM_MAILS_PER_HOUR: '5', TRUST_PROXY: 'true' });
  });
  afterAll(async () => stack?.close());

  it('accepts 20 signups from 20 IPs, sends 5 confirmations, and keeps the other 15 waiting in the queue', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.http('/subscribe', { method: 'POST', headers: { ...FORM, 'x-forwarded-for': `192.0.2.${i + 1}` }, body: form(`reader-${i}@example.net`) }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await count(stack, `email like 'reader-%@example.net' and status = 'pending'`)).toBe(20);
    await stack.sink.waitFor((m) => m.length >= 5);
    const queue = stack.served.runtime.producer.queues.transactional;
    await vi.waitFor(async () => expect(await queue.getDelayedCount()).toBe(15), { timeout: 20_000, interval: 200 });
    await settle();
    expect(stack.sink.messages).toHaveLength(5);
    // Each waits for the next free slot, within the hour; none is lost.
    const delayed = await queue.getDelayed();
    for (const job of delayed) expect(job.timestamp + job.delay).toBeLessThanOrEqual(Date.now() + 3600_000 + 5000);
    expect(new Set(delayed.map((j) => ('subscriberId' in j.data ? j.data.subscriberId : null))).size).toBe(15);
  });
});

describe('the bot guard over HTTP (SIGNUP_MIN_FILL_SECONDS=600, so any quick answer is too quick)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('postgres', { SIGNUP_MIN_FILL_SECONDS: '600' });
  });
  afterAll(async () => stack?.close());

  it('gives a form sent back too fast, a forged stamp and a filled honeypot the neutral answer, and stores and sends nothing', async () => {
    const page = await (await stack.http('/')).text();
    const stamp = /name="form_ts" value="([^"]+)"/.exec(page)![1]!;
    const post = (fields: Record<string, string>) => stack.http('/subscribe', { method: 'POST', headers: FORM, body: new URLSearchParams(fields).toString() });
    for (const fields of <Record<string, string>[]>[
      { email: 'quick-bot@example.org', form_ts: stamp, website: '' },
      { email: 'forging-bot@example.org', form_ts: `${stamp.slice(0, -2)}AA`, website: '' },
      { email: 'trap-bot@example.org', website: 'https://spam.example' },
    ]) {
      const res = await post(fields);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/<h1>Check your inbox<\/h1>/);
    }
    // A plain post with neither field is judged by the limits alone: it signs up.
    expect((await post({ email: 'plain@example.org' })).status).toBe(200);
    await stack.sink.waitFor((m) => m.some((x) => x.envelopeTo.includes('plain@example.org')));
    await settle();
    expect(stack.sink.messages.map((m) => m.envelopeTo[0])).toEqual(['plain@example.org']);
    expect(await count(stack, `email like '%bot@example.org'`)).toBe(0);
  });
});

const noRedis = !inject('redisUrl');
describe.skipIf(noRedis)('per-IP limits shared through Redis', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('redis', { SIGNUP_LIMIT_PER_MINUTE: '5', SIGNUP_LIMIT_PER_HOUR: '30' });
  });
  afterAll(async () => stack?.close());

  it('counts in Redis: 5 of 12 pass, though two API processes share the answering', async () => {
    const second = await serve(loadConfig({ ...stack.env }), { api: true, worker: false, quiet: true });
    try {
      const codes = [];
      for (let i = 0; i < 12; i++) {
        const base = i % 2 ? second.address! : stack.base;
        const res = await fetch(`${base}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `redis-${i}@example.org` }) });
        codes.push(res.status);
      }
      expect(codes.filter((c) => c === 202)).toHaveLength(5);
      expect(codes.filter((c) => c === 429)).toHaveLength(7);
    } finally {
      await second.close();
    }
  });
});
