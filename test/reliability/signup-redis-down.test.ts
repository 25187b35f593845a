// Signup never waits for Redis: with redis-server stopped, POST /subscribe and the confirmation click answer
// at once (the mail they owe is committed to the outbox with the row), and once Redis is back the confirmation
// and the welcome mail each leave exactly once.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { signupScope } from '../../src/domain/tokens.js';
import { startRig, until, type Rig } from './harness.js';

// Real processes, real restarts: each scenario gets minutes, and asserts counts, never durations.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });
// Without redis-server the global setup fails a CI run, and warns loudly elsewhere.
const noRedis = !inject('redisUrl');

describe.skipIf(noRedis)('signup while Redis is down', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
    await rig.worker();
  });
  afterAll(async () => rig?.close());

  const owed = async () => (await rig.db.db.execute<{ n: number }>(sql`select count(*)::int as n from outbox`)).rows[0]!.n;
  const mailsTo = (email: string) => rig.sink.counts.get(email) ?? 0;

  it('answers within 1 s, and the confirmation and welcome arrive once Redis is back, exactly once', async () => {
    await rig.redis.shutdown();
    // Bounded: the request is aborted (and the test fails) if it takes longer than a second.
    const res = await fetch(`${rig.api.address}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=offline%40example.org&frequency=daily',
      signal: AbortSignal.timeout(1000),
    });
    expect(res.status).toBe(200);
    expect(await owed()).toBe(1);
    const row = await rig.db.db.execute<{ status: string }>(sql`select status::text from subscribers where email = 'offline@example.org'`);
    expect(row.rows).toEqual([{ status: 'pending' }]);
    // Nothing can leave while the queue is down; the owed mail waits in Postgres.
    await new Promise((r) => setTimeout(r, 3000));
    expect(mailsTo('offline@example.org')).toBe(0);
    expect(await owed()).toBe(1);

    await rig.redis.start();
    await until(() => mailsTo('offline@example.org') >= 1, 'the confirmation mail', 60_000);
    expect(await owed()).toBe(0);

    // The confirmation click, with Redis down again, also answers at once and owes the welcome mail.
    await rig.redis.shutdown();
    const { tokens } = rig.api.runtime;
    const id = (await rig.db.db.execute<{ id: number }>(sql`select id from subscribers where email = 'offline@example.org'`)).rows[0]!.id;
    const reader = await rig.api.runtime.repos.subscribers.byId(Number(id));
    const token = tokens.sign(Number(id), 'confirm', undefined, signupScope(reader!.consentAt));
    const confirm = await fetch(`${rig.api.address}/confirm/${token}`, { method: 'POST', signal: AbortSignal.timeout(1000) });
    expect(confirm.status).toBe(200);
    expect(await owed()).toBe(1);
    await rig.redis.start();
    await until(() => mailsTo('offline@example.org') >= 2, 'the welcome mail', 60_000);
    // Relayed more than once (the timed-out add ran when Redis came back, and the relay added again): one job each.
    await new Promise((r) => setTimeout(r, 3000));
    expect(mailsTo('offline@example.org')).toBe(2);
    expect(await owed()).toBe(0);
  });
});
