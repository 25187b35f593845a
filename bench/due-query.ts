// Due-query benchmark: N readers (default 1,000,000) spread over every IANA zone Postgres and Node share
// (about 400), each with an hour, a frequency and a weekday. Prints how long it takes to compute every
// reader's next send time, to probe a quiet tick, and to find and assign the readers due at the busiest
// tick (a whole UTC hour), with the query plan of the due query. Asserts nothing.
//
//   npx tsx bench/due-query.ts [--readers 1000000]
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { targetsQuery } from '../src/db/readers-repo.js';
import { seedIfEmpty } from '../src/runtime/seed.js';
import { startEmbeddedPostgres } from '../src/runtime/embedded-postgres.js';
import { createRuntime } from '../src/runtime/index.js';

const { values: args } = parseArgs({ options: { readers: { type: 'string', default: '1000000' } } });
const N = Number(args.readers);
const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'papermail-bench-due-'));
  chmodSync(dataDir, 0o755);
  const pg = await startEmbeddedPostgres(dataDir);
  // The busiest tick: the next whole UTC hour, when every whole-hour zone's readers of that hour are due.
  const tick = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000);
  let clock = new Date(tick.getTime() - 3_600_000);
  const rt = await createRuntime(
    loadConfig({
      DATABASE_URL: pg.url,
      SECRET: 'bench-secret-bench-secret-bench-secret-0',
      ADMIN_TOKEN: 'bench-admin-token-0123',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: 'benchdue',
      DIGEST_WINDOW_DAILY: '60',
      DIGEST_WINDOW_WEEKLY: '60',
    }),
    { sendsMail: false, seed: false, now: () => clock },
  );
  try {
    await seedIfEmpty(rt.repos.papers);
    const known = new Set((await rt.database.pool.query<{ name: string }>('select name from pg_timezone_names')).rows.map((r) => r.name));
    const zones = Intl.supportedValuesOf('timeZone').filter((z) => known.has(z));
    let t = process.hrtime.bigint();
    await rt.database.pool.query(
      `insert into subscribers (email, status, frequency, send_hour, send_day, timezone, timezone_chosen, confirmed_at)
       select 'r' || i || '@bench.example', 'active', (case when i % 7 = 0 then 'weekly' else 'daily' end)::frequency,
              (i * 7) % 24, 1 + (i / 7) % 7, ($2::text[])[1 + i % $3], true, now()
       from generate_series(1, $1::int) as i`,
      [N, zones, zones.length],
    );
    const insertS = seconds(t);
    t = process.hrtime.bigint();
    await rt.repos.subscribers.reschedule(null, clock);
    const rescheduleS = seconds(t);
    await rt.database.pool.query('vacuum analyze subscribers');

    const due = (await rt.database.pool.query(`select count(*)::int as n from subscribers where status = 'active' and next_send_at <= $1`, [tick.toISOString()])).rows[0].n as number;

    // A quiet tick (xx:05): one probe of the due index per frequency, nothing else.
    clock = new Date(tick.getTime() - 55 * 60_000);
    t = process.hrtime.bigint();
    const quiet = await rt.jobs.deliverDue();
    const quietS = seconds(t);

    // The plan of the due query, as the tick runs it.
    clock = tick;
    const probe = { id: 0, frequency: 'daily' as const, forced: false, audienceAt: null, dueAt: tick };
    const explained = await rt.database.db.execute<{ 'QUERY PLAN': string }>(sql`explain (analyze, buffers) ${targetsQuery(probe, 0, 1000, 6 * 3600)}`);
    const plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');

    t = process.hrtime.bigint();
    await rt.jobs.deliverDue();
    const busyS = seconds(t);
    const assigned = (await rt.database.pool.query(`select count(*)::int as n from deliveries`)).rows[0].n as number;
    const renders = (await rt.database.pool.query(`select count(*)::int as n from edition_renders`)).rows[0].n as number;

    console.log(`\nDue-query benchmark: ${N.toLocaleString('en')} readers over ${zones.length} zones`);
    console.log(`  insert readers:              ${insertS.toFixed(1)} s`);
    console.log(`  compute every next_send_at:  ${rescheduleS.toFixed(1)} s (${Math.round(N / rescheduleS).toLocaleString('en')} readers/s, papermail_next_send)`);
    console.log(`  quiet tick (nobody due):     ${(quietS * 1000).toFixed(1)} ms (${Object.keys(quiet).length} editions touched)`);
    console.log(`  busiest tick at ${tick.toISOString()}: ${due.toLocaleString('en')} readers due`);
    console.log(`    find and assign them:      ${busyS.toFixed(1)} s (${Math.round(assigned / busyS).toLocaleString('en')} readers/s; ${assigned.toLocaleString('en')} deliveries, ${renders} renders)`);
    console.log(`  due query plan (first page of 1,000):\n${plan.replace(/^/gm, '    ')}`);
    console.log(`  uses subscribers_due_idx: ${/subscribers_due_idx/.test(plan) ? 'yes' : 'NO'}`);
  } finally {
    await rt.close();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
