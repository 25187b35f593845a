// Fan-out benchmark: one edition to N subscribers through the real worker processes into postfix's
// smtp-sink. Prints throughput, its share of the SMTP wire ceiling, and worker memory. Asserts nothing.
//
//   npx tsx bench/fanout.ts [--subscribers 100000] [--workers 1] [--redis] [--ceiling 2650] [--dkim]
// --dkim signs every message with a fresh 2048-bit RSA key (DKIM_*), to measure what signing costs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { seedPapers } from '../src/db/seed.js';
import { createRepos } from '../src/db/repos.js';
import { createProducer } from '../src/jobs/queues.js';
import { startEdition } from '../src/jobs/start-edition.js';
import { freePort, startEmbeddedPostgres } from '../src/runtime/embedded-postgres.js';
import { openDatabase } from '../src/runtime/index.js';
import { createPgQueueBackend, createRedisBackend } from '../src/runtime/queue-backend.js';

const { values: args } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '1' },
    redis: { type: 'boolean', default: false },
    ceiling: { type: 'string', default: '2650' },
    dkim: { type: 'boolean', default: false },
  },
});
const N = Number(args.subscribers);
const root = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'papermail-bench-'));
  chmodSync(dataDir, 0o755);
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres(dataDir);
  cleanups.unshift(() => pg.stop());

  let redisUrl: string | null = null;
  if (args.redis) {
    const port = await freePort();
    const r = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(r);
    redisUrl = `redis://127.0.0.1:${port}`;
    await sleep(300);
  }

  const pf = spawnSync('bash', [join(root, 'bench/postfix.sh')], { encoding: 'utf8' }).stdout.trim();
  const sinkPort = await freePort();
  const sink = spawn(join(pf, 'usr/sbin/smtp-sink'), ['-u', 'nobody', `127.0.0.1:${sinkPort}`, '1024'], {
    env: { ...process.env, LD_LIBRARY_PATH: join(pf, 'usr/lib/postfix') },
    stdio: 'ignore',
  });
  children.push(sink);

  const env: Record<string, string> = {
    DATABASE_URL: pg.url,
    SMTP_URL: `smtp://127.0.0.1:${sinkPort}`,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    SECRET: 'bench-secret-bench-secret-bench-secret-0',
    ADMIN_TOKEN: 'bench-admin-token-0123',
    PUBLIC_URL: 'https://papermail.example.org',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DIGEST_CRON_DAILY: '0 0 1 1 *',
    DIGEST_CRON_WEEKLY: '0 0 1 1 *',
    INGEST_CRON: '0 0 1 1 *',
    ...(args.dkim
      ? {
          DKIM_DOMAIN: 'example.org',
          DKIM_SELECTOR: 'bench',
          DKIM_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        }
      : {}),
  };
  // Sending knobs pass through from the caller's environment, e.g. SMTP_POOL_SIZE=10 SEND_CONCURRENCY=4.
  const tuning = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(SEND_|SMTP_POOL_SIZE)/.test(k))) as Record<string, string>;
  const config = { ...loadConfig(env), secret: env.SECRET!, adminToken: env.ADMIN_TOKEN! };
  const { database } = await openDatabase(config, () => {});
  cleanups.unshift(() => database.close());
  const repos = createRepos(database.db, config.secret);
  await seedPapers(repos.papers);
  let t = performance.now();
  await database.db.execute(sql`
    insert into subscribers (email, status, frequency, confirmed_at)
    select 'reader' || g || '@bench.example.org', 'active', 'daily', now() from generate_series(1, ${N}) g`);
  console.log(`setup: ${N} subscribers inserted in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  for (let i = 0; i < Number(args.workers); i++) {
    // node --import tsx (not the tsx wrapper) so the measured RSS is the worker's own.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const w = spawn(process.execPath, [...prof, '--import', 'tsx', 'src/main/worker.ts'], { cwd: root, env: { ...process.env, ...env, ...tuning }, stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(w);
  }
  const workers = children.slice(-Number(args.workers));
  await sleep(3000);

  const backend = redisUrl ? createRedisBackend(redisUrl) : createPgQueueBackend(pg.url);
  cleanups.unshift(() => backend.close());
  const producer = createProducer(backend);
  const rss = workers.map((w) => ({ start: rssOf(w.pid!), peak: 0, end: 0 }));
  t = performance.now();
  const { id } = await startEdition({ repos, producer, config, now: () => new Date() }, 'daily', true);
  let last = { sent: 0, status: '' };
  for (;;) {
    await sleep(250);
    workers.forEach((w, i) => (rss[i]!.peak = Math.max(rss[i]!.peak, rssOf(w.pid!))));
    const s = (await repos.editions.stats(id))!;
    last = { sent: s.sent + s.failed, status: s.status };
    // Sending starts while later pages are still assigned: wait for every reader, not the first 'sent'.
    if (s.status === 'sent' && s.sent + s.failed + s.skipped >= N) break;
  }
  const seconds = (performance.now() - t) / 1000;
  workers.forEach((w, i) => (rss[i]!.end = rssOf(w.pid!)));
  const edition = (await repos.editions.byId(id))!;
  const stats = (await repos.editions.stats(id))!;
  const size = await database.db.execute<{ n: number }>(sql`select max(length(mime_template))::int as n from edition_renders where edition_id = ${id}`);
  const assigned = await database.db.execute<{ s: number }>(sql`
    select extract(epoch from max(created_at) - ${new Date(edition.createdAt).toISOString()}::timestamptz)::float as s from deliveries where edition_id = ${id}`);
  const rate = last.sent / seconds;
  const ceiling = Number(args.ceiling);
  console.log(`queue backend: ${redisUrl ? 'Redis' : 'Postgres'}, worker processes: ${args.workers}, DKIM: ${args.dkim ? 'rsa-sha256, 2048 bits' : 'off'}, message: ${((size.rows[0]?.n ?? 0) / 1024).toFixed(1)} KB, tuning: ${JSON.stringify(tuning)}`);
  console.log(`edition ${id}: ${last.sent} messages in ${seconds.toFixed(1)} s (all readers assigned after ${Number(assigned.rows[0]?.s ?? 0).toFixed(2)} s, renders: ${stats.renders})`);
  console.log(`throughput: ${Math.round(rate)} msg/s = ${((rate / ceiling) * 100).toFixed(0)} % of the ${ceiling} msg/s smtp-source→smtp-sink ceiling`);
  rss.forEach((r, i) => console.log(`worker ${i + 1} RSS: start ${r.start.toFixed(0)} MB, peak ${r.peak.toFixed(0)} MB, end ${r.end.toFixed(0)} MB`));
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(1000);
  for (const c of cleanups) await c();
}
