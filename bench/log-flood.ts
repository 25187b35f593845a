// A flood of long URLs against the service as `npm start` runs it (API and worker in one process, one event
// loop, every request written to the access log): GET /health's latency, one request at a time, with the
// service idle and then while other clients send 16 KB URLs as fast as it answers them, in the same run.
// Every logged URL is redacted (addresses masked, tokens cut, 2 KB kept); a pattern that backtracked on a
// long run of letters once held the loop for 0.3 s a request here.
//
//   npm run bench:log-flood -- [--seconds 5] [--connections 4] [--length 16300]
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { Result } from 'autocannon';
import { loadConfig } from '../src/config.js';
import { serve } from '../src/runtime/serve.js';
import { runBench, sleep, type BenchServices } from './services.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '4' }, length: { type: 'string', default: '16300' } },
});
type LoadResult = Pick<Result, 'latency' | '2xx' | 'non2xx' | 'errors'> & { rate: number; requests: number };
const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Runs bench/load.ts in a process of its own, as a real client is. */
const load = async (opts: Record<string, unknown>): Promise<LoadResult> => {
  const out = await run(process.execPath, ['--import', 'tsx', join(root, 'bench/load.ts'), JSON.stringify(opts)], { cwd: root, maxBuffer: 1 << 20 });
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as LoadResult;
};

async function main({ dataDir, pg }: BenchServices) {
  let logged = 0;
  // The access log is written (pino formats every line) and thrown away, so the terminal is not the limit.
  const discard = new Writable({ write: (_c, _e, done) => void (logged++, done()) });
  const served = await serve(
    loadConfig({
      DATABASE_URL: pg.url,
      SECRET: 'bench-secret-bench-secret-bench-secret-0',
      ADMIN_TOKEN: 'bench-admin-token-0123',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DIGEST_CRON_DAILY: '0 0 1 1 *',
      DIGEST_CRON_WEEKLY: '0 0 1 1 *',
      INGEST_CRON: '0 0 1 1 *',
    }),
    { api: true, worker: true, quiet: true },
    { logDestination: discard },
  );
  try {
    const base = served.address!;
    const seconds = Number(args.seconds);
    const probe = { url: `${base}/health`, connections: 1, duration: seconds };
    await load({ ...probe, duration: 2 });
    const idle = await load(probe);
    const long = `${base}/?${'a'.repeat(Number(args.length))}`;
    const flooding = load({ url: long, connections: Number(args.connections), duration: seconds + 2 });
    await sleep(1000);
    const busy = await load(probe);
    const flood = await flooding;
    const ms = (r: LoadResult) => `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms (${r.requests} requests)`;
    console.log(`GET /health, one at a time, idle:              ${ms(idle)}`);
    console.log(`GET /health, one at a time, under the flood:   ${ms(busy)}`);
    console.log(`the flood: GET /?a…(${args.length} letters), ${args.connections} connections: ${Math.round(flood.rate)} req/s, ${flood['2xx'] + flood.non2xx} answered, ${flood.errors} errors; ${logged} log lines`);
    console.log(`worst=${busy.latency.max} ms (idle ${idle.latency.max} ms); p99 ratio=${(busy.latency.p99 / Math.max(idle.latency.p99, 1)).toFixed(2)}`);
    if (busy.latency.max > 50) process.exitCode = 1;
  } finally {
    await served.close();
  }
}

await runBench('log-flood', { redis: false }, main);
