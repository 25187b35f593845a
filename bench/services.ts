// What every benchmark starts: an embedded Postgres in a fresh folder, optionally a redis-server, and the
// teardown that stops them. Errors are printed before the teardown: stopping the embedded Postgres may
// end the process.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg_ from 'pg';
import { freePort, startEmbeddedPostgres } from '../src/runtime/embedded-postgres.js';

const pgClient = pg_.Client;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process's resident memory now, in MB. */
export const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const TICK = 100; // clock ticks per second of /proc's CPU times on Linux
/** CPU seconds used so far by a process and its children, running or ended (Postgres: the postmaster and its backends). */
export function cpuOfTree(rootPid: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      // utime and stime; for the root also cutime and cstime, its children that have ended (a backend
      // whose connection closed takes its CPU with it otherwise).
      if (pid === rootPid) total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICK;
      else if (Number(fields[1]) === rootPid) total += (Number(fields[11]) + Number(fields[12])) / TICK;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
/** The machine's CPU time so far (all cores, /proc/stat): busy (everything but idle and iowait, softirq included), in seconds. */
export function machineBusy(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / TICK;
}
/** The embedded Postgres's postmaster, whose children are its backends. */
export const postmasterPid = (dataDir: string) => Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

export interface BenchServices {
  dataDir: string;
  pg: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  redisUrl: string | null;
  /** Processes to stop at the end (workers, sinks): SIGTERM, before the cleanups. */
  children: ChildProcess[];
  /** Run in order at the end, after the children; add with unshift to run before the database stops. */
  cleanups: (() => Promise<void> | void)[];
}

/** Runs a benchmark with its services, and tears them down however it ends. */
export async function runBench(name: string, opts: { redis: boolean }, main: (s: BenchServices) => Promise<void>): Promise<void> {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const dataDir = mkdtempSync(join(tmpdir(), `papermail-bench-${name}-`));
    chmodSync(dataDir, 0o755);
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // BENCH_PG_STATEMENTS=1: Postgres's own account of where its time went (pg_stat_statements), printed at the end.
    const statements = Boolean(process.env.BENCH_PG_STATEMENTS);
    const pg = await startEmbeddedPostgres(dataDir, () => {}, statements ? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track_planning=on'] : []);
    cleanups.unshift(() => pg.stop());
    if (statements) {
      const client = new pgClient({ connectionString: pg.url });
      await client.connect();
      await client.query('create extension if not exists pg_stat_statements');
      // A failure here is printed, never thrown: the cleanups after it (Postgres's stop) must still run.
      cleanups.unshift(async () => {
        try {
          const top = await client.query<{ calls: string; ms: number; plan: number; per: number; rows: string; query: string }>(`
            select calls::text, (total_exec_time + total_plan_time)::float8 as ms, total_plan_time::float8 as plan,
                   coalesce((total_exec_time + total_plan_time) / nullif(calls, 0), 0)::float8 as per,
                   rows::text, regexp_replace(query, '\\s+', ' ', 'g') as query
            from pg_stat_statements order by total_exec_time + total_plan_time desc limit 12`);
          const calls = await client.query<{ calls: string; all: string }>(`select sum(calls)::text as calls, count(*)::text as "all" from pg_stat_statements`);
          console.log(`Postgres statements by time (execution and planning), of ${calls.rows[0]!.calls} calls of ${calls.rows[0]!.all} statements:`);
          for (const r of top.rows) console.log(`  ${r.ms.toFixed(0).padStart(7)} ms (${r.plan.toFixed(0).padStart(5)} planning)  ${r.calls.padStart(7)} calls  ${r.per.toFixed(2).padStart(7)} ms each  ${r.rows.padStart(8)} rows  ${r.query.slice(0, 150)}`);
        } catch (err) {
          console.error(`pg_stat_statements could not be read: ${(err as Error).message}`);
        } finally {
          await client.end().catch(() => {});
        }
      });
    }
    let redisUrl: string | null = null;
    if (opts.redis) {
      const port = await freePort();
      children.push(spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
      redisUrl = `redis://127.0.0.1:${port}`;
      await sleep(300);
    }
    await main({ dataDir, pg, redisUrl, children, cleanups });
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    for (const ch of children) ch.kill('SIGTERM');
    if (children.length) await sleep(1000);
    for (const c of cleanups) await c();
  }
}
