// Real processes for fault tests: a Postgres and a redis-server of the test's own (so they can be stopped,
// killed and restarted without touching the rest of the suite), a counting SMTP sink with fault switches,
// the API in-process, and workers spawned as separate OS processes through the real entry point.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { connectDatabase, type Database } from '../../src/db/client.js';
import { loadConfig } from '../../src/config.js';
import { freePort } from '../../src/runtime/embedded-postgres.js';
import { QUIET_ENV, startTestPostgres } from '../helpers/services.js';
import { serve, type Served } from '../../src/runtime/serve.js';
import { editionsOutOfBalance } from '../helpers/ledger.js';

const ADMIN_TOKEN = 'reliability-admin-token-0123456789';
const ROOT = resolve(import.meta.dirname, '../..');
const ci = process.env.CI === 'true' || process.env.CI === '1';

/** Waits until `check` returns a truthy value, polling; fails with `what` after `timeoutMs`. */
export async function until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 60_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A Postgres server of this test's own, on a data directory that survives stop and start. */
export const startOwnPostgres = () => startTestPostgres({ persistent: true, prefix: 'papermail-rel-pg-', flags: ['-c', 'max_connections=200'] });

/** A redis-server of this test's own, with `appendonly yes` in its own folder, restartable on the same data. */
export async function startOwnRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'papermail-rel-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const launch = () =>
    new Promise<void>((res, rej) => {
      const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      let out = '';
      c.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) res();
      });
      c.once('error', (err) => rej(new Error(`redis-server could not start${ci ? '' : ' (apt-get install -y redis-server)'}: ${err.message}`)));
      c.once('exit', (code) => rej(new Error(`redis-server exited with ${code}: ${out.slice(-300)}`)));
    });
  const stopWith = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill(signal);
    });
    child = null;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    /** SIGTERM: redis-server shuts down cleanly, flushing its AOF. */
    shutdown: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    start: launch,
    async destroy() {
      await stopWith('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Reply = { code: number; message: string };

/**
 * A real SMTP server that counts deliveries per recipient and can misbehave: answer RCPT or AUTH with a
 * rule, slow each message down, or drop the connection during DATA. It tracks which recipients are in an
 * open transaction, for the duplicate bound.
 */
export async function startCountingSink() {
  const counts = new Map<string, number>();
  const open = new Map<string, string>();
  let rcptRule: ((rcpt: string) => Reply | undefined) | null = null;
  let password: string | null = null;
  let delayOf: (rcpt: string) => number = () => 0;
  let dropDuringData: ((rcpt: string) => boolean) | null = null;
  let accepted = 0;
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onAuth(auth, _session, cb) {
      if (password === null || auth.password === password) return cb(null, { user: auth.username });
      cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(_address, session, cb) {
      if (password !== null && !session.user) return cb(Object.assign(new Error('5.7.0 Authentication required'), { responseCode: 530 }));
      cb();
    },
    onRcptTo(address, session, cb) {
      const r = rcptRule?.(address.address);
      if (r) return cb(Object.assign(new Error(r.message), { responseCode: r.code }));
      open.set(session.id, address.address);
      cb();
    },
    onData(stream, session, cb) {
      const rcpt = session.envelope.rcptTo[0]!.address;
      const drop = dropDuringData?.(rcpt) ?? false;
      let bytes = 0;
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
        if (drop && bytes > 200) {
          const conn = [...(server as unknown as { connections: Set<{ session: unknown; _socket: { destroy(): void } }> }).connections].find((x) => x.session === session);
          open.delete(session.id);
          conn?._socket.destroy();
        }
      });
      stream.on('end', () => {
        if (drop) return;
        const done = () => {
          accepted++;
          counts.set(rcpt, (counts.get(rcpt) ?? 0) + 1);
          open.delete(session.id);
          cb();
        };
        const ms = delayOf(rcpt);
        if (ms) setTimeout(done, ms);
        else done();
      });
    },
    onClose(session) {
      open.delete(session.id);
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    counts,
    get accepted() {
      return accepted;
    },
    /** Recipients whose transaction is open right now (RCPT accepted, DATA not yet answered). */
    openRecipients: () => new Set(open.values()),
    /** Messages delivered more than once, summed over recipients. */
    duplicates: () => [...counts.values()].reduce((n, c) => n + Math.max(0, c - 1), 0),
    /** Forgets what was delivered, between scenarios. */
    reset() {
      counts.clear();
      accepted = 0;
    },
    setRcptRule(rule: ((rcpt: string) => Reply | undefined) | null) {
      rcptRule = rule;
    },
    requirePassword(p: string | null) {
      password = p;
    },
    /** Latency before each message is answered: one figure for all, or per recipient. */
    setDelay(ms: number | ((rcpt: string) => number)) {
      delayOf = typeof ms === 'number' ? () => ms : ms;
    },
    setDropDuringData(rule: ((rcpt: string) => boolean) | null) {
      dropDuringData = rule;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A worker as a separate OS process, through `npm run worker`'s entry point. */
export interface WorkerProcess {
  readonly pid: number;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/worker.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const w: WorkerProcess = { pid: child.pid!, output: () => out, exited, kill: (s) => void child.kill(s) };
  return Promise.race([
    until(() => out.includes('"worker running"'), 'the worker to start', 60_000, 50).then(() => w),
    exited.then((code) => Promise.reject(new Error(`worker exited with ${code} before it ran:\n${out.slice(-2000)}`))),
  ]);
}

/** Everything a fault test runs on, production-shaped: every service external, workers in their own processes. */
export async function startRig(opts: { env?: Record<string, string>; smtpUrl?: (sinkUrl: string, port: number) => string } = {}) {
  const [pg, redis, sink] = await Promise.all([startOwnPostgres(), startOwnRedis(), startCountingSink()]);
  const dbUrl = pg.url.replace(/\/postgres$/, '/papermail');
  const admin = connectDatabase(pg.url, { max: 1 });
  await admin.pool.query('create database papermail');
  await admin.close();
  const env: Record<string, string> = {
    DATABASE_URL: dbUrl,
    REDIS_URL: redis.url,
    SMTP_URL: opts.smtpUrl ? opts.smtpUrl(sink.url, sink.port) : sink.url,
    SECRET: 'reliability-secret-reliability-secret-01',
    ADMIN_TOKEN,
    PUBLIC_URL: 'https://papermail.test',
    QUEUE_PREFIX: `r${randomBytes(3).toString('hex')}`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'papermail-rel-data-')),
    LOG_LEVEL: 'info',
    SMTP_POOL_SIZE: '5',
    SEND_LEASE_SECONDS: '5',
    RECOVER_INTERVAL_SECONDS: '2',
    SEND_TRANSPORT_RETRY_SECONDS: '1',
    SEND_RETRY_BASE_MS: '200',
    ...QUIET_ENV,
    PORT: '0',
    HOST: '127.0.0.1',
    ...opts.env,
  };
  // The API runs in this process (it only produces jobs); it is not what the faults are aimed at.
  const api: Served = await serve(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { api: true, worker: false, quiet: true });
  const db: Database = connectDatabase(dbUrl, { max: 4 });
  const workers: WorkerProcess[] = [];
  // What the sink had received per address at the previous kill: a row still held by an earlier dead worker is
  // not open again, but one re-sent since (and held again) is.
  let countsAtLastKill = new Map<string, number>();
  const rig = {
    pg,
    redis,
    sink,
    env,
    db,
    api,
    /** Stops every worker this rig started (SIGKILL: the scenario is over, nothing of theirs is asserted). */
    async stopWorkers() {
      for (const w of workers.splice(0)) {
        w.kill('SIGKILL');
        await w.exited;
      }
    },
    async worker(extra: Record<string, string> = {}) {
      const w = await spawnWorker({ ...env, ...extra });
      workers.push(w);
      return w;
    },
    /** kill -9, and what was open at that instant: rows the dead worker held whose mail was received or on the wire. */
    async killHard(w: WorkerProcess): Promise<number> {
      const onWire = sink.openRecipients();
      w.kill('SIGKILL');
      await w.exited;
      // Let the sink finish any message whose last bytes were already in its socket.
      await new Promise((r) => setTimeout(r, 300));
      const held = await db.db.execute<{ email: string }>(sql`
        select s.email from deliveries d join subscribers s on s.id = d.subscriber_id where d.status = 'sending'`);
      const open = held.rows.filter((r) => onWire.has(r.email) || (sink.counts.get(r.email) ?? 0) > (countsAtLastKill.get(r.email) ?? 0));
      countsAtLastKill = new Map(sink.counts);
      return open.length;
    },
    async admin(path: string, body?: unknown) {
      const res = await fetch(`${api.address}/api/admin${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> & { id: number; status: string } };
    },
    /** A fresh scenario: no readers, nothing counted at the sink, no fault switched on. */
    async reset() {
      await rig.stopWorkers();
      await db.db.execute(sql`delete from subscribers`);
      await db.db.execute(sql`delete from suppressions`);
      sink.reset();
      sink.setDelay(0);
      sink.setRcptRule(null);
      sink.setDropDuringData(null);
      countsAtLastKill = new Map();
    },
    /** Inserts `n` confirmed readers in one statement, named `${prefix}${i}@example.org`. */
    async addReaders(prefix: string, n: number) {
      await db.db.execute(sql`
        insert into subscribers (email, status, frequency, confirmed_at)
        select ${prefix} || g || '@example.org', 'active', 'daily', now() from generate_series(1, ${n}) g`);
    },
    async sendEdition() {
      const { body } = await rig.admin('/editions', { frequency: 'daily', force: true });
      return body.id;
    },
    async stats(id: number) {
      return (await rig.admin(`/editions/${id}`)).body as unknown as {
        status: string;
        recipients: number;
        sent: number;
        failed: number;
        queued: number;
        sending: number;
        skipped: number;
        pausedReason: string | null;
      };
    },
    async waitSent(id: number, timeoutMs = 120_000) {
      try {
        return await until(async () => {
          const s = await rig.stats(id);
          return s.status === 'sent' ? s : null;
        }, `edition ${id} to be sent`, timeoutMs, 200);
      } catch (err) {
        // Say what was left, and what the workers last said: a hang must explain itself.
        const rows = await rig.rows(id).catch(() => ({}));
        const logs = workers.map((w) => `--- worker ${w.pid}:\n${w.output().split('\n').slice(-25).join('\n')}`).join('\n');
        throw new Error(`${(err as Error).message}; rows ${JSON.stringify(rows)}; sink accepted ${sink.accepted}\n${logs}`);
      }
    },
    async rows(id: number) {
      const r = await db.db.execute<{ status: string; n: number }>(sql`
        select status::text, count(*)::int as n from deliveries where edition_id = ${id} group by status`);
      return Object.fromEntries(r.rows.map((x) => [x.status, x.n])) as Record<string, number>;
    },
    async close() {
      await rig.stopWorkers();
      // Every edition the scenarios sent balances: nothing open, and every reader it targets has a row.
      const unbalanced = await editionsOutOfBalance(api).catch(() => []);
      await api.close().catch(() => {});
      await db.close().catch(() => {});
      await sink.close();
      await Promise.all([pg.destroy(), redis.destroy()]);
      if (unbalanced.length) throw new Error(`editions sent out of balance: ${unbalanced.join('; ')}`);
    },
  };
  return rig;
}
export type Rig = Awaited<ReturnType<typeof startRig>>;
