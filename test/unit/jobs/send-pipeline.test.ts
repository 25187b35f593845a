// The send pipeline driven in milliseconds through its narrow ports: a typed fake store and a fake mailer.
// What is proven here is policy (what each outcome does, when the breaker pauses, what is handed back);
// test/reliability proves the same promises with real processes, Postgres, Redis and SMTP.
import type { SendSettings } from '../../../src/jobs/send-outcome.js';
import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery, DeliveryResult } from '../../../src/domain/delivery.js';
import { createBreaker } from '../../../src/domain/breaker.js';
import { createSendPipeline, type DeliveryStore } from '../../../src/jobs/send-batch.js';
import type { Mailer, SendOutcome } from '../../../src/mail/mailer.js';
import { classifySmtpFailure } from '../../../src/mail/smtp-outcome.js';

const settings: SendSettings = {
  lanes: 4,
  claimChunk: 10,
  leaseSeconds: 60,
  maxAttempts: 3,
  retryBaseMs: 1000,
  transportDelayMs: 5000,
  resultGroupMs: 0,
  breaker: { consecutive: 10, transportRate: 0.2, stormRate: 0.5, window: 200, minSample: 20 },
};
const quiet = { info() {}, warn() {}, error() {} };

/** A store over an in-memory table; claims honour the pause, records honour the claim token. */
function fakeStore(n: number) {
  const rows = Array.from({ length: n }, (_, i) => ({ id: i + 1, email: `r${i + 1}@example.org`, status: 'queued', attempts: 0, token: '' }));
  const results: DeliveryResult[] = [];
  const pauses: { reason: string; storm: string | null }[] = [];
  let paused = false;
  const store: DeliveryStore = {
    async claim(_e, [from, to], limit, _lease, token) {
      if (paused) return [];
      const picked = rows.filter((r) => r.status === 'queued' && r.id >= from && r.id <= to).slice(0, limit);
      for (const r of picked) Object.assign(r, { status: 'sending', token, attempts: r.attempts + 1 });
      return picked.map((r): ClaimedDelivery => ({ id: r.id, subscriberId: r.id, email: r.email, attempts: r.attempts, renderId: 1, paperIds: [], view: null, unsendable: null, resumedAt: 0 }));
    },
    async extendLease() {
      return 0;
    },
    async pausedIds() {
      return [];
    },
    async release(token) {
      const held = rows.filter((r) => r.token === token && r.status === 'sending');
      for (const r of held) Object.assign(r, { status: 'queued', token: '', attempts: r.attempts - 1 });
      return held.length;
    },
    async record(batch) {
      for (const res of batch) {
        const row = rows.find((r) => r.id === res.id)!;
        if (row.token !== res.token || row.status !== 'sending') continue;
        results.push(res);
        row.status = res.status === 'retry' || res.status === 'requeue' ? 'done-later' : res.status;
      }
    },
    async pause(_e, reason, storm) {
      paused = true;
      pauses.push({ reason, storm });
      return true;
    },
    async finish() {},
  };
  return { store, rows, results, pauses };
}

const mailerOf = (answer: (to: string) => SendOutcome | Promise<SendOutcome>): Mailer => ({
  sendRaw: async (env) => answer(env.to),
  verify: async () => {},
  close: async () => {},
});
const fail = (command: string, response: string): SendOutcome => ({
  ok: false,
  ...classifySmtpFailure({ command, response, responseCode: Number(response.slice(0, 3)) }),
});
const pipelineOf = (store: DeliveryStore, mailer: Mailer) =>
  createSendPipeline({ store, mailer, compose: async (_e, d) => ({ raw: `To: ${d.email}\r\n\r\nhi`, messageId: `m${d.id}@x` }), log: quiet, now: () => new Date(0), envelopeFrom: 'd@x' }, settings);
const job = { editionId: 1, from: 1, to: 1_000_000 };

describe('send pipeline', () => {
  it('maps each class to its result: sent, suppressed, failed, retried with backoff', async () => {
    const f = fakeStore(4);
    const answers: Record<string, SendOutcome> = {
      'r1@example.org': { ok: true, response: '250 2.0.0 OK' },
      'r2@example.org': fail('RCPT TO', '550 5.1.1 r2@example.org: no such user'),
      'r3@example.org': fail('DATA', '552 5.2.2 Mailbox full'),
      'r4@example.org': fail('RCPT TO', '451 4.7.1 Greylisted'),
    };
    const totals = await pipelineOf(f.store, mailerOf((to) => answers[to]!)).sendBatch(job);
    expect(totals).toMatchObject({ sent: 1, failed: 2, retry: 1, paused: false });
    const by = new Map(f.results.map((r) => [r.id, r]));
    expect(by.get(2)).toMatchObject({ status: 'failed', suppress: 'r2@example.org' });
    expect(by.get(2)!.response).toBe('550 5.1.1 <recipient>: no such user');
    expect(by.get(3)).toMatchObject({ status: 'failed', suppress: null });
    const retry = by.get(4) as Extract<DeliveryResult, { status: 'retry' }>;
    expect(retry.delayMs).toBeGreaterThanOrEqual(500);
    expect(retry.delayMs).toBeLessThan(1500);
  });

  it('pauses after 10 transport failures in a row, suppresses nobody, and hands back what it had not sent', async () => {
    const f = fakeStore(50);
    const totals = await pipelineOf(f.store, mailerOf(() => fail('AUTH PLAIN', '535 5.7.8 Authentication credentials invalid'))).sendBatch(job);
    expect(f.pauses).toHaveLength(1);
    expect(f.pauses[0]!.reason).toMatch(/10 transport failures in a row.*535 5\.7\.8/);
    expect(totals.paused).toBe(true);
    expect(f.results.every((r) => r.status === 'requeue')).toBe(true);
    // Every claimed row is written back: none is left in 'sending' for the lease to find.
    expect(f.rows.filter((r) => r.status === 'sending')).toEqual([]);
    expect(f.rows.filter((r) => r.status === 'queued')).toHaveLength(40);
  });

  it('pauses on a storm of one refusal and names its signature for the undo', async () => {
    const f = fakeStore(100);
    await pipelineOf(f.store, mailerOf(() => fail('RCPT TO', '554 5.7.1 Relay access denied'))).sendBatch(job);
    expect(f.pauses).toEqual([{ reason: expect.stringMatching(/refused the same way \(554 5\.7\.1\)/), storm: '554 5.7.1' }]);
  });

  it('does not pause for a few dead mailboxes among many good ones', async () => {
    const f = fakeStore(300);
    const totals = await pipelineOf(f.store, mailerOf((to) => (/^r\d*7@/.test(to) ? fail('RCPT TO', '550 5.1.1 gone') : { ok: true, response: '250 OK' }))).sendBatch(job);
    expect(f.pauses).toEqual([]);
    expect(totals).toMatchObject({ sent: 270, failed: 30 });
  });

  it('keeps the results of the other lanes when one message throws', async () => {
    const f = fakeStore(20);
    const totals = await pipelineOf(
      f.store,
      mailerOf((to) => {
        if (to === 'r5@example.org') throw new Error('a bug in one lane');
        return { ok: true, response: '250 OK' };
      }),
    ).sendBatch(job);
    expect(totals.sent).toBe(19);
    expect(f.results.filter((r) => r.status === 'sent')).toHaveLength(19);
    // The row whose lane threw stays claimed; its lease hands it to the next claim.
    expect(f.rows.filter((r) => r.status === 'sending').map((r) => r.id)).toEqual([5]);
  });

  it('stops claiming on stop and returns unstarted rows to the queue', async () => {
    const f = fakeStore(40);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let sent = 0;
    const pipeline = pipelineOf(
      f.store,
      mailerOf(async () => {
        if (++sent === 4) release();
        await new Promise((r) => setTimeout(r, 20));
        return { ok: true, response: '250 OK' };
      }),
    );
    const running = pipeline.sendBatch(job);
    await gate;
    await pipeline.stop(5000);
    const totals = await running;
    expect(totals.sent).toBeGreaterThanOrEqual(4);
    expect(totals.sent + totals.requeue).toBe(10);
    expect(f.rows.filter((r) => r.status === 'sending')).toEqual([]);
    expect(f.rows.filter((r) => r.status === 'queued')).toHaveLength(30);
  });
});

describe('lease', () => {
  it('stops sending a chunk once the heartbeat finds its claim taken over, and writes nothing for it', async () => {
    const f = fakeStore(40);
    // Another worker took the rows over: extending the lease finds no row under our token.
    f.store.extendLease = async () => 0;
    const pipeline = createSendPipeline(
      {
        store: f.store,
        mailer: mailerOf(async () => {
          await new Promise((r) => setTimeout(r, 30));
          return { ok: true, response: '250 OK' };
        }),
        compose: async (_e, d) => ({ raw: `To: ${d.email}\r\n\r\nhi`, messageId: `m${d.id}@x` }),
        log: quiet,
        now: () => new Date(0),
        envelopeFrom: 'd@x',
      },
      // A 0.2 s lease: the heartbeat runs every 50 ms.
      { ...settings, leaseSeconds: 0.2, lanes: 2 },
    );
    const totals = await pipeline.sendBatch({ ...job, to: 10 });
    // Some messages went out before the first heartbeat; the rest of the chunk was not sent from here.
    expect(totals.sent).toBeGreaterThan(0);
    expect(totals.sent).toBeLessThan(10);
    expect(totals.sent + totals.requeue).toBe(10);
  });
});

describe('breaker', () => {
  const ok = { ok: true } as const;
  const transport = { ok: false, transport: true, signature: '535 5.7.8', response: '535 5.7.8 no' } as const;
  it('trips on the share of transport failures even when they never come 10 in a row', () => {
    const b = createBreaker(settings.breaker);
    const trips = [];
    for (let i = 0; i < 40; i++) trips.push(b.observe(i % 4 === 0 ? transport : ok));
    // 25 % > 20 %, judged once 20 attempts are in the window; a trip resets the window.
    const first = trips.findIndex(Boolean);
    expect(first).toBeGreaterThanOrEqual(19);
    expect(first).toBeLessThan(25);
    expect(trips[first]!.reason).toMatch(/failed on our side/);
  });
  it('stays closed under 20 % greylisting that looks the same', () => {
    const b = createBreaker(settings.breaker);
    const grey = { ok: false, transport: false, signature: '451 4.7.1', response: '451 4.7.1 later' } as const;
    for (let i = 0; i < 1000; i++) expect(b.observe(i % 5 === 0 ? grey : ok)).toBeNull();
  });
});

describe('healing', () => {
  it('never pauses on a storm of temporary answers, however many: it slows down, and every row is retried', async () => {
    const f = fakeStore(300);
    const paces: [string, number][] = [];
    const pipeline = createSendPipeline(
      { store: f.store, mailer: mailerOf(() => fail('RCPT TO', '451 4.3.0 Server busy')), compose: async (_e, d) => ({ raw: 'x', messageId: `m${d.id}@x` }), log: quiet, now: () => new Date(0), envelopeFrom: 'd@x', observePace: (scope, limit) => paces.push([scope, limit]) },
      settings,
    );
    const totals = await pipeline.sendBatch(job);
    expect(f.pauses).toEqual([]);
    expect(totals).toMatchObject({ retry: 300, failed: 0, paused: false });
    // The relay's window and the domain's went down to one message at a time.
    expect(paces.filter(([s]) => s === 'relay').map(([, l]) => l)).toEqual([2, 1]);
    expect(paces.filter(([s]) => s === 'example.org').at(-1)).toEqual(['example.org', 1]);
  });

  it('gives back the rows of a claim whose answer was lost, as soon as the store answers again', async () => {
    const f = fakeStore(30);
    let failNext = true;
    const claim = f.store.claim.bind(f.store);
    const store: DeliveryStore = {
      ...f.store,
      async claim(...args) {
        const rows = await claim(...args);
        if (failNext) {
          failNext = false;
          throw new Error('Connection terminated unexpectedly');
        }
        return rows;
      },
    };
    await expect(pipelineOf(store, mailerOf(() => ({ ok: true, response: '250 OK' }))).sendBatch(job)).rejects.toThrow(/Connection terminated/);
    expect(f.rows.filter((r) => r.status === 'sending')).toEqual([]);
    expect(f.rows.filter((r) => r.status === 'queued')).toHaveLength(30);
  });

  it("probes a paused edition with a handful of real messages: passes unless one fails on our side", async () => {
    const f = fakeStore(20);
    const ok = await pipelineOf(f.store, mailerOf(() => ({ ok: true, response: '250 OK' }))).probe(1, 5, null);
    expect(ok).toMatchObject({ passed: true, sent: 5, tried: 5 });
    const g = fakeStore(20);
    const bad = await pipelineOf(g.store, mailerOf(() => fail('MAIL FROM', '550 5.7.1 Sender rejected'))).probe(1, 5, null);
    expect(bad).toMatchObject({ passed: false });
    expect(bad.why).toMatch(/550 5\.7\.1/);
    const h = fakeStore(20);
    const storm = await pipelineOf(h.store, mailerOf(() => fail('RCPT TO', '554 5.7.1 Relay access denied'))).probe(1, 5, '554 5.7.1');
    expect(storm.passed).toBe(false);
  });
});
