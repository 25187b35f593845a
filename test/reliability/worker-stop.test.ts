// Workers stopping and racing: SIGTERM mid-send with a slow relay, two and three workers on one edition, and a
// chunk that outlives its lease (the heartbeat keeps it). Each runs one edition to 5,000 readers or more.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startRig, until, type Rig } from './harness.js';

// Real processes, real restarts: each scenario gets minutes, and asserts counts, never durations.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });
// Without redis-server the global setup fails a CI run, and warns loudly elsewhere.
const noRedis = !inject('redisUrl');

const POOL = 5;
const N = 2000;

describe.skipIf(noRedis)('workers stopping and racing', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ env: { SMTP_POOL_SIZE: String(POOL) } });
  });
  afterAll(async () => rig?.close());

  it('SIGTERM mid-send with a slow relay: stops claiming, records every result, hands back the rest, exits in time; the next worker finishes with no duplicate', async () => {
    await rig.reset();
    await rig.addReaders('term-', N);
    const worker = await rig.worker();
    const id = await rig.sendEdition();
    await until(() => rig.sink.accepted >= N * 0.4, '40 % of the fan-out', 90_000, 20);
    // The relay turns slow (200 ms a message) just before the stop.
    rig.sink.setDelay(200);
    await new Promise((r) => setTimeout(r, 300));
    worker.kill('SIGTERM');
    // Bounded wait: docker-compose and Kubernetes give a container 30 s before SIGKILL; we must be out in 25.
    const code = await Promise.race([worker.exited, new Promise<string>((r) => setTimeout(() => r('still running after 25 s'), 25_000))]);
    expect(code).toBe(0);
    expect(worker.output()).toMatch(/SIGTERM: shutting down/);
    // Nothing is left claimed: every row is sent or back in the queue, and every delivered message is recorded.
    const rows = await rig.rows(id);
    expect(rows.sending ?? 0).toBe(0);
    expect(rows.sent).toBe(rig.sink.accepted);
    rig.sink.setDelay(0);
    await rig.worker();
    const stats = await rig.waitSent(id);
    expect(stats).toMatchObject({ recipients: N, sent: N, sending: 0, queued: 0 });
    expect(rig.sink.counts.size).toBe(N);
    expect(rig.sink.duplicates()).toBe(0);
  });

  it.each([2, 3])('%i workers on one edition: each reader exactly once', async (count) => {
    await rig.reset();
    await rig.addReaders(`race${count}-`, N);
    for (let i = 0; i < count; i++) await rig.worker();
    const id = await rig.sendEdition();
    const stats = await rig.waitSent(id);
    expect(stats).toMatchObject({ recipients: N, sent: N, failed: 0 });
    expect(rig.sink.counts.size).toBe(N);
    expect(rig.sink.duplicates()).toBe(0);
  });

  it('a chunk that outlives its 5 s lease keeps it by heartbeat: another worker never takes it over', async () => {
    await rig.reset();
    await rig.addReaders('lease-', N);
    // The first 200 readers' mail is slow to accept (400 ms each): a chunk of 100 on 5 connections takes 8 s or more,
    // longer than SEND_LEASE_SECONDS=5, while everything else flies and leaves the other worker and the
    // recovery sweep free to take over any claim that looks expired.
    rig.sink.setDelay((rcpt) => (Number(/^lease-(\d+)@/.exec(rcpt)?.[1]) <= 200 ? 400 : 0));
    await rig.worker();
    const id = await rig.sendEdition();
    await rig.worker();
    // Follow the claim tokens: the lease rule is only proven if some claim lived longer than the lease.
    const firstSeen = new Map<string, number>();
    let longest = 0;
    await until(async () => {
      const held = await rig.db.db.execute<{ t: string }>(sql`select distinct claim_token::text as t from deliveries where status = 'sending' and edition_id = ${id}`);
      const now = Date.now();
      for (const { t } of held.rows) {
        if (!firstSeen.has(t)) firstSeen.set(t, now);
        longest = Math.max(longest, now - firstSeen.get(t)!);
      }
      return longest > 7000;
    }, 'a claim held longer than the lease', 60_000, 250);
    const stats = await rig.waitSent(id);
    expect(stats).toMatchObject({ recipients: N, sent: N, failed: 0 });
    expect(longest).toBeGreaterThan(5000);
    expect(rig.sink.counts.size).toBe(N);
    expect(rig.sink.duplicates()).toBe(0);
  });
});
