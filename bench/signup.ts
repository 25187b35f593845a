// Signup under load: autocannon drives POST /subscribe (JSON, a new valid address each time) against the
// API on embedded Postgres, and GET /health the same way in the same run as the ceiling. Prints the ratio,
// p50 and p99, and checks afterwards one row and one queued confirmation per accepted signup.
//
//   npm run bench:signup -- [--signups 5000] [--seconds 10] [--connections 20] [--redis]
// The ceiling runs for --seconds; the signups are a fixed number, so that every answer is counted.
// The per-IP limits are lifted for the run (one client sends everything); the per-inbox throttle,
// the outbox and the queue are the production ones.
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { serve } from '../src/runtime/serve.js';
import { runBench, sleep, type BenchServices } from './services.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, signups: { type: 'string', default: '5000' }, connections: { type: 'string', default: '20' }, redis: { type: 'boolean', default: false } },
});

async function main({ dataDir, pg, redisUrl }: BenchServices) {
  const served = await serve(
    loadConfig({
      DATABASE_URL: pg.url,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      SMTP_URL: 'smtp://127.0.0.1:9',
      SECRET: 'bench-secret-bench-secret-bench-secret-0',
      ADMIN_TOKEN: 'bench-admin-token-0123',
      PUBLIC_URL: 'https://papermail.example.org',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SIGNUP_LIMIT_PER_MINUTE: '1000000',
      SIGNUP_LIMIT_PER_HOUR: '1000000',
      DIGEST_CRON_DAILY: '0 0 1 1 *',
      DIGEST_CRON_WEEKLY: '0 0 1 1 *',
      INGEST_CRON: '0 0 1 1 *',
    }),
    { api: true, worker: false, quiet: true },
  );
  // Closed here, while Redis (when used) still runs.
  try {
    const base = served.address!;
    const common = { url: base, connections: Number(args.connections), duration: Number(args.seconds) };

    let n = 0;
    // Warm up both paths, then the ceiling, then signup.
    await autocannon({ ...common, duration: 2, url: `${base}/health` });
    const health: Result = await autocannon({ ...common, url: `${base}/health` });
    const { duration: _d, ...fixed } = common;
    const signup: Result = await autocannon({
      ...fixed,
      amount: Number(args.signups),
      requests: [
        {
          method: 'POST',
          path: '/subscribe',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: `load${++n}-${process.pid}@bench.example.org`, frequency: 'daily' }) }),
        },
      ],
    });
    const accepted = signup['2xx'];
    await sleep(2000); // the outbox relay hands the last confirmations to the queue
    const db = served.runtime.database.db;
    const rows = Number((await db.execute<{ n: number }>(sql`select count(*)::int as n from subscribers where email like 'load%'`)).rows[0]!.n);
    const outbox = Number((await db.execute<{ n: number }>(sql`select count(*)::int as n from outbox where kind = 'confirm'`)).rows[0]!.n);
    const counts = await served.runtime.producer.queues.transactional.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed');
    const queued = Object.values(counts).reduce((a, b) => a + b, 0);
    const ratio = signup.requests.average / health.requests.average;
    console.log(`queue: ${redisUrl ? 'Redis' : 'Postgres'}, ${common.connections} connections; ceiling for ${common.duration} s, then ${args.signups} signups`);
    console.log(`GET /health (ceiling): ${Math.round(health.requests.average)} req/s, p50 ${health.latency.p50} ms, p99 ${health.latency.p99} ms`);
    console.log(`POST /subscribe: ${Math.round(signup.requests.average)} req/s, p50 ${signup.latency.p50} ms, p99 ${signup.latency.p99} ms, ${accepted} accepted, ${signup.non2xx} refused, ${signup.errors} errors`);
    console.log(`ratio=${ratio.toFixed(2)}`);
    const ok = rows === accepted && outbox + queued === accepted;
    console.log(`check: ${rows} subscriber rows and ${queued} confirmations queued (+${outbox} still in the outbox) for ${accepted} accepted signups: ${ok ? 'one each' : 'MISMATCH'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await served.close();
  }
}

await runBench('signup', { redis: args.redis }, main);
