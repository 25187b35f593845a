// npm run chaos -- [--readers 40000] [--faults 14] [--seed 1] [--workers 2] [--latency 100] [--pool 20] [--lease 60] [--json]
//
// One edition to `readers` readers in production mode, hit by `faults` faults chosen and placed at random
// from `seed` while it goes out. Real processes: its own Postgres and redis-server (append-only), the API and
// the workers each in an OS process of their own (src/main/api.ts, src/main/worker.ts), and an SMTP server
// that counts every message per recipient and misbehaves on command (`latency` ms per message, so that
// the edition takes long enough for the faults to land in it). Nobody calls resume: the edition must end
// `sent` by itself.
//
// The faults: kill -9 and SIGTERM of a worker (a new one starts after it); kill -9 of the API (restarted);
// Redis shut down, and killed, and started again on its AOF; Postgres restarted (fast shutdown), and down for
// 5 s; and SMTP bursts of 4 s: 451 for half the recipients, 421 closing the connection for half of them, the
// connection dropped in DATA for half of them, and a 5 s stall before each answer.
//
// It prints every fault with its time, the edition's ledger, readers lost (none at the sink), duplicates
// against their bound (SMTP_POOL_SIZE per worker kill; none for any other fault), and the time from the last
// fault to `sent`. It exits 1 when anyone is lost, the bound is broken, or the edition is not sent in time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { sql } from 'drizzle-orm';
import { freePort } from '../src/runtime/embedded-postgres.js';
import { startCountingSink, startOwnPostgres, startOwnRedis, spawnWorker, until, type WorkerProcess } from '../test/reliability/harness.js';
import { connectDatabase } from '../src/db/client.js';
import { QUIET_ENV } from '../test/helpers/services.js';

const { values: args } = parseArgs({
  options: {
    readers: { type: 'string', default: '40000' },
    faults: { type: 'string', default: '14' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    latency: { type: 'string', default: '100' },
    pool: { type: 'string', default: '20' },
    lease: { type: 'string', default: '60' },
    json: { type: 'boolean', default: false },
  },
});
const READERS = Number(args.readers);
const FAULTS = Number(args.faults);
const SEED = Number(args.seed);
const WORKERS = Number(args.workers);
const LATENCY = Number(args.latency);
const POOL = Number(args.pool);
const ROOT = new URL('..', import.meta.url).pathname;
const ADMIN_TOKEN = 'chaos-admin-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => void (args.json ? process.stderr.write(`${line}\n`) : console.log(line));

const KINDS = ['worker-kill', 'worker-sigterm', 'api-kill', 'redis-shutdown', 'redis-kill', 'postgres-restart', 'postgres-down-5s', 'smtp-451', 'smtp-421-close', 'smtp-drop-in-data', 'smtp-stall-5s'] as const;
type Kind = (typeof KINDS)[number];

async function main() {
  const rng = xoroshiro128plus(SEED);
  const [pg, redis, sink] = await Promise.all([startOwnPostgres(), startOwnRedis(), startCountingSink()]);
  const admin = connectDatabase(pg.url, { max: 1 });
  await admin.pool.query('create database papermail');
  await admin.close();
  const dbUrl = pg.url.replace(/\/postgres$/, '/papermail');
  const apiPort = await freePort();
  const env: Record<string, string> = {
    ...QUIET_ENV,
    DATABASE_URL: dbUrl,
    REDIS_URL: redis.url,
    SMTP_URL: sink.url,
    SECRET: 'chaos-secret-chaos-secret-chaos-secret-0',
    ADMIN_TOKEN,
    PUBLIC_URL: 'https://papermail.test',
    QUEUE_PREFIX: 'chaos',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'papermail-chaos-')),
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    // Info: a worker says "worker running" when it is up.
    LOG_LEVEL: 'info',
    SMTP_POOL_SIZE: String(POOL),
    // What a killed worker's rows wait for (the heartbeat keeps a live claim; the default is 60 s).
    SEND_LEASE_SECONDS: args.lease,
    // Retries of 4xx in seconds, not minutes: a run is minutes long.
    SEND_RETRY_BASE_MS: '2000',
    SEND_TRANSPORT_RETRY_SECONDS: '2',
  };
  sink.setDelay(LATENCY);
  const db = connectDatabase(dbUrl, { max: 2 });
  const children = new Set<ChildProcess>();
  let api: ChildProcess | null = null;
  const startApi = async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/api.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: 'ignore' });
    children.add(child);
    child.once('exit', () => children.delete(child));
    api = child;
    await until(() => fetch(`http://127.0.0.1:${apiPort}/health`).then((r) => r.ok, () => false), 'the API to answer', 60_000, 100);
  };
  const workers: WorkerProcess[] = [];
  const startWorker = async () => {
    const w = await spawnWorker(env);
    workers.push(w);
    return w;
  };
  const report: Record<string, unknown> = { seed: SEED, readers: READERS, faults: [] as unknown[] };
  const log = (report.faults as { at: number; kind: Kind; note: string }[]);
  let workerKills = 0;
  const openAtKills: number[] = [];
  let sigtermExit = 0;
  try {
    await startApi();
    for (let i = 0; i < WORKERS; i++) await startWorker();
    await db.db.execute(sql`
      insert into subscribers (email, status, frequency, confirmed_at)
      select 'chaos-' || g || '@example.org', 'active', 'daily', now() from generate_series(1, ${READERS}) g`);
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/admin/editions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ frequency: 'daily', force: true }),
    });
    const id = ((await res.json()) as { id: number }).id;
    const t0 = Date.now();
    const at = () => ((Date.now() - t0) / 1000).toFixed(1);
    // The faults, placed at random over the time the sending would take without them.
    const expected = (READERS * LATENCY) / 1000 / (WORKERS * POOL);
    const schedule = Array.from({ length: FAULTS }, () => ({ delay: (0.05 + 0.8 * uniformFloat64(rng)) * expected, kind: KINDS[uniformInt(rng, 0, KINDS.length - 1)]! })).sort((a, b) => a.delay - b.delay);
    const half = (rcpt: string) => Number(/-(\d+)@/.exec(rcpt)?.[1]) % 2 === 0;
    const burst = async (on: () => void, off: () => void) => {
      on();
      await sleep(4000);
      off();
    };
    const pick = () => workers.splice(uniformInt(rng, 0, workers.length - 1), 1)[0]!;
    const faults: Record<Kind, () => Promise<string>> = {
      'worker-kill': async () => {
        const w = pick();
        const onWire = sink.openRecipients();
        w.kill('SIGKILL');
        await w.exited;
        await sleep(300);
        const held = await db.db.execute<{ email: string }>(sql`select s.email from deliveries d join subscribers s on s.id = d.subscriber_id where d.status = 'sending'`);
        const open = held.rows.filter((r) => onWire.has(r.email)).length;
        workerKills++;
        openAtKills.push(open);
        await startWorker();
        return `pid ${w.pid}; ${open} transactions open at the kill; a new worker started`;
      },
      'worker-sigterm': async () => {
        const w = pick();
        const asked = Date.now();
        w.kill('SIGTERM');
        const code = await Promise.race([w.exited, sleep(30_000).then(() => 'still running')]);
        const took = (Date.now() - asked) / 1000;
        sigtermExit = Math.max(sigtermExit, took);
        if (code === 'still running') w.kill('SIGKILL');
        await startWorker();
        return `pid ${w.pid} exited ${String(code)} after ${took.toFixed(1)} s; a new worker started`;
      },
      'api-kill': async () => {
        api?.kill('SIGKILL');
        await sleep(500);
        await startApi();
        return 'restarted';
      },
      'redis-shutdown': async () => {
        await redis.shutdown();
        await sleep(2000);
        await redis.start();
        return 'down 2 s, started again on its AOF';
      },
      'redis-kill': async () => {
        await redis.kill();
        await sleep(2000);
        await redis.start();
        return 'killed, down 2 s, started again on its AOF';
      },
      'postgres-restart': async () => {
        await pg.stop();
        await pg.start();
        return 'fast shutdown and start';
      },
      'postgres-down-5s': async () => {
        await pg.stop();
        await sleep(5000);
        await pg.start();
        return 'down 5 s';
      },
      'smtp-451': () => burst(() => sink.setRcptRule((r) => (half(r) ? { code: 451, message: '4.3.0 Server busy, try again later' } : undefined)), () => sink.setRcptRule(null)).then(() => '4 s of 451 for half the recipients'),
      'smtp-421-close': () => burst(() => sink.setRcptRule((r) => (half(r) ? { code: 421, message: '4.7.0 Too many connections, closing' } : undefined)), () => sink.setRcptRule(null)).then(() => '4 s of 421 and a closed connection for half the recipients'),
      'smtp-drop-in-data': () => burst(() => sink.setDropDuringData(half), () => sink.setDropDuringData(null)).then(() => '4 s of connections dropped in DATA for half the recipients'),
      'smtp-stall-5s': () => burst(() => sink.setDelay(5000), () => sink.setDelay(LATENCY)).then(() => '4 s in which each answer took 5 s'),
    };
    let paused = 0;
    const watcher = setInterval(() => {
      void db.db.execute<{ status: string }>(sql`select status::text from editions where id = ${id}`).then(
        (r) => void (r.rows[0]?.status === 'paused' && paused++),
        () => {},
      );
    }, 500);
    for (const f of schedule) {
      const wait = t0 + f.delay * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      const started = at();
      const note = await faults[f.kind]();
      log.push({ at: Number(started), kind: f.kind, note });
      say(`t=${started.padStart(6)} s  ${f.kind.padEnd(18)} ${note}`);
    }
    const lastFault = Date.now();
    const status = async () => (await db.db.execute<{ status: string }>(sql`select status::text from editions where id = ${id}`)).rows[0]?.status;
    let sent = true;
    try {
      await until(async () => (await status()) === 'sent', 'the edition to be sent', 20 * 60_000, 250);
    } catch {
      sent = false;
    }
    clearInterval(watcher);
    const afterLast = (Date.now() - lastFault) / 1000;
    const ledgerRes = await fetch(`http://127.0.0.1:${apiPort}/api/admin/editions/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const ledger = ((await ledgerRes.json()) as { ledger: Record<string, number | boolean> }).ledger;
    const counts = sink.counts;
    let lost = 0;
    let duplicates = 0;
    for (let i = 1; i <= READERS; i++) {
      const n = counts.get(`chaos-${i}@example.org`) ?? 0;
      if (n === 0) lost++;
      duplicates += Math.max(0, n - 1);
    }
    const bound = POOL * workerKills;
    const ok = sent && lost === 0 && duplicates <= bound && sigtermExit <= 25;
    Object.assign(report, {
      sent,
      status: await status(),
      secondsToSent: Number(((Date.now() - t0) / 1000).toFixed(1)),
      secondsAfterLastFault: Number(afterLast.toFixed(1)),
      ledger,
      lost,
      duplicates,
      bound,
      workerKills,
      openAtKills,
      slowestSigtermExit: Number(sigtermExit.toFixed(1)),
      pausedSeen: paused > 0,
      ok,
    });
    say(`ledger: ${JSON.stringify(ledger)}`);
    say(`edition ${sent ? 'sent' : `NOT sent (${String(report.status)})`} ${report.secondsToSent} s after it started, ${report.secondsAfterLastFault} s after the last fault; paused on the way: ${paused > 0 ? 'yes, and resumed by itself' : 'no'}`);
    say(`lost: ${lost}; duplicates: ${duplicates} (bound ${bound}: ${POOL} per worker kill × ${workerKills}; open at the kills: ${openAtKills.join(', ') || 'none'}); slowest SIGTERM exit: ${report.slowestSigtermExit} s`);
    say(ok ? 'chaos: every reader once, within the bound, sent without a person' : 'chaos: FAILED');
    if (args.json) console.log(JSON.stringify(report));
    if (!ok) process.exitCode = 1;
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    for (const c of children) c.kill('SIGKILL');
    await sleep(500);
    await db.close().catch(() => {});
    await sink.close();
    await Promise.all([pg.destroy(), redis.destroy()]);
  }
}

await main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
process.exit(process.exitCode ?? 0);
