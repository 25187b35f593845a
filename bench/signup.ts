// Signup under load: autocannon, in a process of its own, drives POST /subscribe (JSON, a new valid address
// each time) against the API on embedded Postgres, and GET /health the same way in the same run as the ceiling. Prints the ratio,
// p50 and p99, and checks afterwards one row and one queued confirmation per accepted signup.
//
//   npm run bench:signup -- [--signups 10000] [--warmup 2000] [--seconds 10] [--connections 20] [--redis]
// The ceiling runs for --seconds; the signups are a fixed number, so that every answer is counted.
// The per-IP limits are lifted for the run (one client sends everything); the per-inbox throttle,
// the outbox and the queue are the production ones.
import { parseArgs } from 'node:util';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Result } from 'autocannon';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { serve } from '../src/runtime/serve.js';
import { cpuOfTree, postmasterPid, runBench, sleep, type BenchServices } from './services.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, signups: { type: 'string', default: '10000' }, warmup: { type: 'string', default: '2000' }, connections: { type: 'string', default: '20' }, redis: { type: 'boolean', default: false } },
});

type LoadResult = Pick<Result, 'latency' | '2xx' | 'non2xx' | 'errors'> & { rate: number; requests: number; cpu: number };
/** CPU ms per request of the API (this process), Postgres and the load generator, and Postgres commits per request. */
type Costs = { api: number; postgres: number; client: number; commits: number };
const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

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

    // Each load runs in a process of its own (bench/load.ts), as real clients do.
    const load = async (opts: Record<string, unknown>): Promise<LoadResult> => {
      const out = await run(process.execPath, ['--import', 'tsx', join(root, 'bench/load.ts'), JSON.stringify({ ...common, ...opts })], { cwd: root, maxBuffer: 1 << 20 });
      return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as LoadResult;
    };
    const db = served.runtime.database.db;
    const postmaster = postmasterPid(dataDir);
    const commits = async () => Number((await db.execute<{ n: string }>(sql`select xact_commit::text as n from pg_stat_database where datname = current_database()`)).rows[0]!.n);
    // Where the machine's CPU goes per request: the API, Postgres, the load generator.
    const measured = async (opts: Record<string, unknown>): Promise<[LoadResult, Costs]> => {
      const [api0, pg0, commits0] = [process.cpuUsage(), cpuOfTree(postmaster), await commits()];
      const result = await load(opts);
      const api = process.cpuUsage(api0);
      const per = (x: number) => Number(((x * 1000) / result.requests).toFixed(3));
      return [result, { api: per((api.user + api.system) / 1e6), postgres: per(cpuOfTree(postmaster) - pg0), client: per(result.cpu), commits: per(((await commits()) - commits0) / 1000) }];
    };
    // Warm up both paths (the signups under a tag of their own), then the ceiling, then signup.
    await load({ url: `${base}/health`, duration: 2 });
    const warm = await load({ amount: Number(args.warmup), duration: undefined, signup: `${process.pid}w` });
    const drained = async () => {
      // The outbox relay hands the last confirmations to the queue: wait until it has (at most 30 s).
      for (let i = 0; i < 300 && (await served.runtime.repos.outbox.pending()) > 0; i++) await sleep(100);
    };
    await drained();
    const [health, healthCost] = await measured({ url: `${base}/health` });
    const [signup, signupCost] = await measured({ amount: Number(args.signups), duration: undefined, signup: String(process.pid) });
    const accepted = signup['2xx'];
    await drained();
    const rows = Number((await db.execute<{ n: number }>(sql`select count(*)::int as n from subscribers where email like ${`load%-${process.pid}@%`}`)).rows[0]!.n);
    const outbox = Number((await db.execute<{ n: number }>(sql`select count(*)::int as n from outbox where kind = 'confirm'`)).rows[0]!.n);
    const counts = await served.runtime.producer.queues.transactional.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed');
    const queued = Object.values(counts).reduce((a, b) => a + b, 0);
    const ratio = signup.rate / health.rate;
    console.log(`queue: ${redisUrl ? 'Redis' : 'Postgres'}, ${common.connections} connections; ceiling for ${common.duration} s, then ${args.signups} signups`);
    console.log(`GET /health (ceiling): ${Math.round(health.rate)} req/s, p50 ${health.latency.p50} ms, p99 ${health.latency.p99} ms`);
    console.log(`POST /subscribe: ${Math.round(signup.rate)} req/s, p50 ${signup.latency.p50} ms, p99 ${signup.latency.p99} ms, ${accepted} accepted, ${signup.non2xx} refused, ${signup.errors} errors`);
    const costs = (c: Costs) => `API ${c.api} ms, Postgres ${c.postgres} ms, load generator ${c.client} ms; ${c.commits} commits`;
    console.log(`CPU per request: /health ${costs(healthCost)}; /subscribe ${costs(signupCost)}`);
    console.log(`ratio=${ratio.toFixed(2)}`);
    // The queue holds the warm-up's confirmations too.
    const ok = rows === accepted && outbox + queued === accepted + warm['2xx'];
    console.log(
      `check: ${rows} subscriber rows and ${queued - warm['2xx']} confirmations queued (+${outbox} still in the outbox) for ${accepted} accepted signups (and ${warm['2xx']} of the warm-up's): ${ok ? 'one each' : 'MISMATCH'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await served.close();
  }
}

await runBench('signup', { redis: args.redis }, main);
