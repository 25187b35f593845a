// SMTP faults against a worker process and a real SMTP server, one edition to 1,000 readers each: greylisting,
// dead mailboxes, connections dropped during DATA, and a wrong password for the whole run (the edition pauses,
// nobody is suppressed, and once the relay is fixed and the edition resumed every reader gets one digest).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startRig, until, type Rig } from './harness.js';

// Real processes, real restarts: each scenario gets minutes, and asserts counts, never durations.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });
// Without redis-server the global setup fails a CI run, and warns loudly elsewhere.
const noRedis = !inject('redisUrl');

const N = 1000;
// Every 500th reader's mailbox is dead.
const DEAD = N / 500;
const nOf = (rcpt: string) => Number(/-(\d+)@/.exec(rcpt)?.[1]);
/** True on the first try of every `every`-th reader, false after; `hit.size` counts the readers hit. */
function firstTryOfEvery(every: number) {
  const hit = new Set<string>();
  const check = (rcpt: string) => nOf(rcpt) % every === 0 && !hit.has(rcpt) && Boolean(hit.add(rcpt));
  return Object.assign(check, { hit });
}

describe.skipIf(noRedis)('SMTP faults', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ env: { SMTP_POOL_SIZE: '5', SEND_RETRY_BASE_MS: '100' } });
  });
  afterAll(async () => rig?.close());

  const attemptsByStatus = async (id: number) =>
    (
      await rig.db.db.execute<{ status: string; attempts: number; n: number }>(sql`
        select status::text, attempts, count(*)::int as n from deliveries where edition_id = ${id} group by 1, 2 order by 1, 2`)
    ).rows;

  it('451 on 20 % of recipients: all delivered after retries, with their attempts recorded', async () => {
    await rig.reset();
    await rig.addReaders('grey-', N);
    // Greylisting: every fifth reader's first attempt is deferred.
    const greylisted = firstTryOfEvery(5);
    rig.sink.setRcptRule((rcpt) => (greylisted(rcpt) ? { code: 451, message: '4.7.1 Greylisted, please try again later' } : undefined));
    await rig.worker();
    const id = await rig.sendEdition();
    const stats = await rig.waitSent(id);
    expect(stats).toMatchObject({ recipients: N, sent: N, failed: 0, status: 'sent' });
    expect(rig.sink.counts.size).toBe(N);
    expect(rig.sink.duplicates()).toBe(0);
    expect(await attemptsByStatus(id)).toEqual([
      { status: 'sent', attempts: 1, n: N * 0.8 },
      { status: 'sent', attempts: 2, n: N * 0.2 },
    ]);
  });

  it('550 5.1.1 on some: failed, suppressed, never retried, and left out of the next edition', async () => {
    await rig.reset();
    await rig.addReaders('dead-', N);
    const dead = (rcpt: string) => nOf(rcpt) % 500 === 0;
    rig.sink.setRcptRule((rcpt) => (dead(rcpt) ? { code: 550, message: '5.1.1 <' + rcpt + '>: Recipient address rejected: User unknown' } : undefined));
    await rig.worker();
    const id = await rig.sendEdition();
    const stats = await rig.waitSent(id);
    expect(stats).toMatchObject({ recipients: N, sent: N - DEAD, failed: DEAD });
    expect(await attemptsByStatus(id)).toEqual([
      { status: 'failed', attempts: 1, n: DEAD },
      { status: 'sent', attempts: 1, n: N - DEAD },
    ]);
    const sup = await rig.db.db.execute<{ email: string; reason: string; detail: string }>(sql`select email, reason, detail from suppressions order by email`);
    expect(sup.rows).toHaveLength(DEAD);
    expect(sup.rows.every((r) => r.reason === 'bounce' && dead(r.email) && !r.detail.includes(r.email))).toBe(true);
    const next = await rig.waitSent(await rig.sendEdition());
    expect(next).toMatchObject({ recipients: N - DEAD, sent: N - DEAD, failed: 0 });
    expect([...rig.sink.counts].filter(([rcpt]) => dead(rcpt))).toEqual([]);
  });

  it('connections dropped during DATA: retried without counting against the reader, no duplicate, no pause', async () => {
    await rig.reset();
    await rig.addReaders('drop-', N);
    const dropped = firstTryOfEvery(100);
    rig.sink.setDropDuringData(dropped);
    await rig.worker();
    const id = await rig.sendEdition();
    const stats = await rig.waitSent(id);
    expect(dropped.hit.size).toBe(N / 100);
    expect(stats).toMatchObject({ recipients: N, sent: N, failed: 0, pausedReason: null });
    expect(rig.sink.counts.size).toBe(N);
    expect(rig.sink.duplicates()).toBe(0);
    // A transport failure is not the reader's: the dropped attempt does not count.
    expect(await attemptsByStatus(id)).toEqual([{ status: 'sent', attempts: 1, n: N }]);
  });

  it('a wrong password (535 5.7.8) for the whole run pauses the edition and suppresses nobody; fixed and resumed, every reader gets exactly one', async () => {
    await rig.reset();
    await rig.addReaders('auth-', N);
    rig.sink.requirePassword('right-password');
    const wrong = await rig.worker({ SMTP_URL: `smtp://papermail:wrong-password@127.0.0.1:${rig.sink.port}` });
    const id = await rig.sendEdition();
    const paused = await until(async () => {
      const s = await rig.stats(id);
      return s.status === 'paused' ? s : null;
    }, 'the edition to pause', 60_000, 200);
    expect(paused.pausedReason).toMatch(/535 5\.7\.8/);
    // The start-up check said so at once, at error level.
    const checkLine = wrong.output().split('\n').find((l) => l.includes('SMTP check failed'));
    expect(checkLine).toMatch(/"level":50/);
    expect(checkLine).toMatch(/535/);
    expect(rig.sink.accepted).toBe(0);
    const harm = await rig.db.db.execute<{ suppressed: number; inactive: number; failed: number }>(sql`
      select (select count(*)::int from suppressions) as suppressed,
             (select count(*)::int from subscribers where status <> 'active') as inactive,
             (select count(*)::int from deliveries where edition_id = ${id} and status = 'failed') as failed`);
    expect(harm.rows[0]).toEqual({ suppressed: 0, inactive: 0, failed: 0 });
    // Still paused a moment later: no worker claims its rows.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await rig.stats(id)).status).toBe('paused');

    // The operator fixes SMTP_URL and restarts the worker, then resumes the edition.
    await rig.stopWorkers();
    await rig.worker({ SMTP_URL: `smtp://papermail:right-password@127.0.0.1:${rig.sink.port}` });
    const resumed = await rig.admin(`/editions/${id}/resume`, {});
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ id, pausedReason: null });
    const stats = await rig.waitSent(id);
    expect(stats).toMatchObject({ recipients: N, sent: N, failed: 0 });
    expect(rig.sink.counts.size).toBe(N);
    expect(rig.sink.duplicates()).toBe(0);
    // Resuming an edition that is not paused is refused, and says why.
    expect((await rig.admin(`/editions/${id}/resume`, {})).status).toBe(409);
    rig.sink.requirePassword(null);
  });

  it('a relay that answers 550 5.1.1 for everyone is a storm, not 1,000 dead mailboxes: paused, suppressions undone', async () => {
    await rig.reset();
    await rig.addReaders('storm-', N);
    let broken = true;
    rig.sink.setRcptRule(() => (broken ? { code: 550, message: '5.1.1 Recipient address rejected: User unknown in relay recipient table' } : undefined));
    await rig.worker();
    const id = await rig.sendEdition();
    const paused = await until(async () => {
      const s = await rig.stats(id);
      return s.status === 'paused' ? s : null;
    }, 'the edition to pause', 60_000, 200);
    expect(paused.pausedReason).toMatch(/refused the same way \(550 5\.1\.1\)/);
    // Let anything still in flight land, then check that nobody was harmed by our relay's fault.
    await new Promise((r) => setTimeout(r, 2000));
    const harm = await rig.db.db.execute<{ suppressed: number; inactive: number; failed: number }>(sql`
      select (select count(*)::int from suppressions) as suppressed,
             (select count(*)::int from subscribers where status <> 'active') as inactive,
             (select count(*)::int from deliveries where edition_id = ${id} and status = 'failed') as failed`);
    expect(harm.rows[0]).toEqual({ suppressed: 0, inactive: 0, failed: 0 });
    // The breaker undid what it had recorded before it was sure: those rows went back to the queue.
    const undone = await rig.db.db.execute<{ n: number }>(sql`
      select count(*)::int as n from deliveries where edition_id = ${id} and last_response like 'requeued: the edition paused on a storm%'`);
    expect(undone.rows[0]!.n).toBeGreaterThanOrEqual(20);
    broken = false;
    expect((await rig.admin(`/editions/${id}/resume`, {})).status).toBe(200);
    const stats = await rig.waitSent(id);
    expect(stats).toMatchObject({ recipients: N, sent: N, failed: 0 });
    expect(rig.sink.counts.size).toBe(N);
    expect(rig.sink.duplicates()).toBe(0);
  });
});
