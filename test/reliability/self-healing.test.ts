// Self-healing sends, with real processes and a real SMTP server: a burst of 451 on half the recipients slows
// the edition down and never pauses it; a login the relay refuses pauses it, and once the relay takes the
// login again the breaker's probe resumes it by itself (no resume call), telling a person both times.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startRig, until, type Rig } from './harness.js';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });
const noRedis = !inject('redisUrl');
const N = 1000;
const OPS = 'ops@example.org';
const half = (rcpt: string) => Number(/-(\d+)@/.exec(rcpt)?.[1]) % 2 === 0;

describe.skipIf(noRedis)('self-healing sends', () => {
  let rig: Rig;
  let hook: Server;
  const alerts: { event: string; editionId: number }[] = [];
  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        alerts.push(JSON.parse(body) as { event: string; editionId: number });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    rig = await startRig({
      env: { SEND_PAUSE_COOLDOWN_SECONDS: '3', ALERT_EMAIL: OPS, ALERT_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts` },
    });
  });
  afterAll(async () => {
    await rig?.close();
    hook?.close();
  });

  /** Polls the edition until it is sent, noting every status it was seen in. */
  const watch = async (id: number) => {
    const seen = new Set<string>();
    const stats = await until(async () => {
      const s = await rig.stats(id);
      seen.add(s.status);
      return s.status === 'sent' ? s : null;
    }, `edition ${id} to be sent`, 180_000, 100);
    return { stats, seen };
  };
  const readers = () => [...rig.sink.counts.entries()].filter(([a]) => a !== OPS);
  /** Digests a reader got more than once (the operator's alerts are not digests). */
  const duplicates = () => readers().reduce((n, [, c]) => n + c - 1, 0);

  it('a burst of 451 on half the recipients slows the edition down and never pauses it; every reader gets one digest', async () => {
    await rig.reset();
    await rig.addReaders('busy-', N);
    // A burst: the first 600 recipients the server hears of, the even half of them answered 451.
    let heard = 0;
    rig.sink.setRcptRule((rcpt) => (++heard <= 600 && half(rcpt) ? { code: 451, message: '4.3.0 Server busy, try again later' } : undefined));
    const worker = await rig.worker();
    const id = await rig.sendEdition();
    const { stats, seen } = await watch(id);
    expect(seen.has('paused')).toBe(false);
    expect(stats).toMatchObject({ recipients: N, sent: N, failed: 0 });
    expect(readers()).toHaveLength(N);
    expect(duplicates()).toBe(0);
    // The pace went down while the server asked for it, and the log says so.
    expect(worker.output()).toMatch(/sending slowed: a server asks us to/);
    expect(alerts.filter((a) => a.editionId === id)).toEqual([]);
  });

  it('a refused login pauses it; once the relay takes the login again, a probe resumes it by itself, and a person is told both times', async () => {
    await rig.reset();
    await rig.addReaders('auth-', N);
    rig.sink.requirePassword('the-relay-password');
    await rig.worker({ SMTP_URL: `smtp://papermail:our-password@127.0.0.1:${rig.sink.port}` });
    const id = await rig.sendEdition();
    await until(async () => (await rig.stats(id)).status === 'paused', 'the edition to pause', 60_000, 100);
    const paused = await rig.admin(`/editions/${id}`);
    expect(paused.body).toMatchObject({ pauseKind: 'breaker', ledger: { open: N, sent: 0, failed: 0, balanced: false } });
    expect(paused.body.nextProbeAt).toBeTruthy();
    // A probe while the relay still refuses the login changes nothing: still paused, the next probe later.
    const firstProbe = String(paused.body.nextProbeAt);
    await until(async () => String((await rig.admin(`/editions/${id}`)).body.nextProbeAt) !== firstProbe, 'a failed probe', 60_000, 200);
    expect((await rig.stats(id)).status).toBe('paused');
    expect(rig.sink.accepted).toBe(0);

    // The relay's side is fixed: it takes our login again. Nobody calls resume.
    rig.sink.requirePassword(null);
    const { stats } = await watch(id);
    expect(stats).toMatchObject({ recipients: N, sent: N, failed: 0 });
    expect(readers()).toHaveLength(N);
    expect(duplicates()).toBe(0);
    const ledger = (await rig.admin(`/editions/${id}`)).body.ledger;
    expect(ledger).toMatchObject({ target: N, sent: N, open: 0, missing: 0, balanced: true });
    // Told once when it paused and once when it resumed: by webhook, and by mail through the same relay.
    await until(() => alerts.filter((a) => a.editionId === id).length >= 2 && (rig.sink.counts.get(OPS) ?? 0) >= 2, 'both alerts', 60_000, 200);
    expect(alerts.filter((a) => a.editionId === id).map((a) => a.event)).toEqual(['edition.paused', 'edition.resumed']);
    expect(rig.sink.counts.get(OPS)).toBe(2);
    const harm = await rig.db.pool.query(`select count(*)::int as n from suppressions`);
    expect(harm.rows[0].n).toBe(0);
  });
});
