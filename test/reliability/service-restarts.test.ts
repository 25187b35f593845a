// Postgres and Redis go away mid fan-out (stopped for 10 s, restarted, killed) while a worker process sends
// one edition to 5,000 readers: the edition completes, every reader gets exactly one digest, no result is
// lost, and duplicates stay within the messages the worker had open (SMTP_POOL_SIZE).
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startRig, until, type Rig, type WorkerProcess } from './harness.js';

// Real processes, real restarts: each scenario gets minutes, and asserts counts, never durations.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });
// Without redis-server the global setup fails a CI run, and warns loudly elsewhere.
const noRedis = !inject('redisUrl');

const POOL = 5;
const N = 2000;

describe.skipIf(noRedis)('services restarted mid-run', () => {
  let rig: Rig;
  let worker: WorkerProcess;
  beforeAll(async () => {
    rig = await startRig({ env: { SMTP_POOL_SIZE: String(POOL) } });
  });
  afterAll(async () => rig?.close());

  const fanOut = async (prefix: string, fault: () => Promise<void>) => {
    await rig.reset();
    await rig.addReaders(prefix, N);
    worker = await rig.worker();
    rig.sink.setDelay(1);
    const id = await rig.sendEdition();
    await until(() => rig.sink.accepted >= N * 0.3, '30 % of the fan-out', 90_000, 20);
    const open = rig.sink.openRecipients().size;
    await fault();
    const stats = await rig.waitSent(id, 150_000);
    expect(stats).toMatchObject({ recipients: N, sent: N, failed: 0, queued: 0, sending: 0 });
    expect(rig.sink.counts.size).toBe(N);
    const dup = rig.sink.duplicates();
    console.info(`${prefix}: ${open} transactions on the wire at the fault; duplicates ${dup}`);
    // The same worker process rode the fault out: a restart of a service it uses is no reason to die.
    expect(await Promise.race([worker.exited.then((code) => `exited with ${code}:\n${worker.output().slice(-1500)}`), Promise.resolve('running')])).toBe('running');
    expect(dup).toBeLessThanOrEqual(POOL);
    return id;
  };

  it('Postgres down for 10 s mid-send: no result lost', async () => {
    await fanOut('pgdown-', async () => {
      await rig.pg.stop();
      await new Promise((r) => setTimeout(r, 10_000));
      await rig.pg.start();
    });
  });

  it('Postgres restarted mid-send (fast shutdown, same data)', async () => {
    await fanOut('pgrestart-', async () => {
      await rig.pg.stop();
      await rig.pg.start();
    });
  });

  it('Redis shut down and started again on the same AOF', async () => {
    await fanOut('redisdown-', async () => {
      await rig.redis.shutdown();
      await new Promise((r) => setTimeout(r, 2000));
      await rig.redis.start();
    });
  });

  it('Redis killed with SIGKILL and started again on the same AOF', async () => {
    await fanOut('rediskill-', async () => {
      await rig.redis.kill();
      await rig.redis.start();
    });
  });
});
