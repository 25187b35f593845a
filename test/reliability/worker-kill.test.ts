// kill -9 the worker (a separate OS process) mid fan-out and mid assignment, then start another: every
// reader ends with exactly one delivery row `sent`, nothing is left `sending`, and duplicates at the sink
// never exceed the SMTP transactions that were open at the kill (each at most SMTP_POOL_SIZE).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startRig, until, type Rig } from './harness.js';

// Real processes, real restarts: each scenario gets minutes, and asserts counts, never durations.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });
// Without redis-server the global setup fails a CI run, and warns loudly elsewhere.
const noRedis = !inject('redisUrl');

const POOL = 5;
// The workers started after the kills send with more lanes: what is asserted of them is exactly-once, and
// the bound on duplicates comes from the transactions open at each kill (of the workers with POOL lanes).
const FAST = { SMTP_POOL_SIZE: '20' };

describe.skipIf(noRedis)('worker killed with SIGKILL', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ env: { SMTP_POOL_SIZE: String(POOL) } });
  });
  afterAll(async () => rig?.close());

  it('early, middle and late in one fan-out to 6,000 readers: nobody missed, duplicates within the open transactions', async () => {
    await rig.addReaders('kill-', 6000);
    // A little latency per message keeps the fan-out long enough to aim three kills at it.
    rig.sink.setDelay(2);
    let worker = await rig.worker();
    const id = await rig.sendEdition();
    const opens: number[] = [];
    for (const share of [0.1, 0.5, 0.9]) {
      await until(() => rig.sink.accepted >= 6000 * share, `${share * 100} % of the fan-out`, 90_000, 20);
      opens.push(await rig.killHard(worker));
      worker = await rig.worker();
    }
    const stats = await rig.waitSent(id);
    expect(stats).toMatchObject({ recipients: 6000, sent: 6000, failed: 0, queued: 0, sending: 0 });
    expect(rig.sink.counts.size).toBe(6000);
    const dup = rig.sink.duplicates();
    const open = opens.reduce((a, b) => a + b, 0);
    console.info(`kill -9 ×3: open transactions at the kills ${opens.join(', ')}; duplicates ${dup}`);
    expect(dup).toBeLessThanOrEqual(open);
    for (const o of opens) expect(o).toBeLessThanOrEqual(POOL);
    const attempts = await rig.db.db.execute<{ n: number }>(sql`select count(*)::int as n from deliveries where edition_id = ${id} and status = 'sent'`);
    expect(attempts.rows[0]!.n).toBe(6000);
  });

  it('twice while 20,000 readers are being assigned: every reader still gets exactly one digest, and the edition is never sent early', async () => {
    await rig.reset();
    await rig.addReaders('assign-', 20_000);
    let worker = await rig.worker();
    const id = await rig.sendEdition();
    const early = watchForEarlySent(rig, id, 20_000);
    const assigned = async () => (await rig.db.db.execute<{ n: number }>(sql`select count(*)::int as n from deliveries where edition_id = ${id}`)).rows[0]!.n;
    const opens: number[] = [];
    for (const rows of [2000, 8000]) {
      await until(async () => (await assigned()) >= rows, `${rows} rows assigned`, 60_000, 10);
      const s = await rig.stats(id);
      expect(s.status).toBe('assigning');
      opens.push(await rig.killHard(worker));
      worker = await rig.worker(rows === 8000 ? FAST : {});
    }
    const stats = await rig.waitSent(id, 150_000);
    expect(await early.stop()).toEqual([]);
    expect(stats).toMatchObject({ recipients: 20_000, sent: 20_000, failed: 0, sending: 0, queued: 0 });
    expect(rig.sink.counts.size).toBe(20_000);
    const dup = rig.sink.duplicates();
    console.info(`kill -9 ×2 during assignment: open transactions at the kills ${opens.join(', ')}; duplicates ${dup}`);
    expect(dup).toBeLessThanOrEqual(opens.reduce((a, b) => a + b, 0));
  });

  it('each of two workers killed while they assign 20,000 readers in shards: every reader once, every shard done, both workers assigning', async () => {
    await rig.reset();
    await rig.addReaders('shard-', 20_000);
    // Ranges of 2,500 readers: eight build jobs, taken by whichever worker is free. Four run at once, so
    // assignment is quick: the second kill does not wait for the first one's replacement to start.
    const sharded = { ASSIGN_SHARD_READERS: '2500' };
    const [first, second] = [await rig.worker(sharded), await rig.worker(sharded)];
    const id = await rig.sendEdition();
    const early = watchForEarlySent(rig, id, 20_000);
    const assigned = async () => (await rig.db.db.execute<{ n: number }>(sql`select count(*)::int as n from deliveries where edition_id = ${id}`)).rows[0]!.n;
    const opens: number[] = [];
    await until(async () => (await assigned()) >= 3000, '3,000 rows assigned', 60_000, 10);
    expect((await rig.stats(id)).status).toBe('assigning');
    opens.push(await rig.killHard(second));
    const replacement = rig.worker(sharded);
    // The other worker too, a moment later (while it assigns, if the edition is still assigning): for a
    // while no worker runs, and the shards both held are found by their stale beats.
    await until(async () => (await assigned()) >= 6000, '6,000 rows assigned', 60_000, 10);
    opens.push(await rig.killHard(first));
    const started = [first, second, await replacement, await rig.worker({ ...sharded, ...FAST })];
    const stats = await rig.waitSent(id, 150_000);
    expect(await early.stop()).toEqual([]);
    expect(stats).toMatchObject({ recipients: 20_000, sent: 20_000, failed: 0, sending: 0, queued: 0 });
    expect(rig.sink.counts.size).toBe(20_000);
    const dup = rig.sink.duplicates();
    // With a second worker alive, the rows counted open at a kill include its own open transactions: a bound, looser.
    console.info(`kill -9 of both workers during sharded assignment: open transactions at the kills ${opens.join(', ')}; duplicates ${dup}`);
    expect(dup).toBeLessThanOrEqual(opens.reduce((a, b) => a + b, 0));
    const shards = await rig.db.db.execute<{ n: number; done: number }>(sql`
      select count(*)::int as n, count(done_at)::int as done from edition_shards where edition_id = ${id}`);
    expect(shards.rows[0]).toEqual({ n: 8, done: 8 });
    // Shards were assigned in more than one process.
    const assigners = started.filter((w) => w.output().includes('"msg":"assigning a shard"'));
    expect(assigners.length).toBeGreaterThan(1);
  });
});

/** Watches an edition all along: whenever it says `sent`, every one of its `readers` must have a final row. */
function watchForEarlySent(rig: Rig, id: number, readers: number) {
  const early: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const s = await rig.stats(id).catch(() => null);
      if (s?.status === 'sent' && s.recipients + s.skipped !== readers) early.push(`sent with ${s.recipients + s.skipped} rows`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      watching = false;
      await watcher;
      return early;
    },
  };
}
