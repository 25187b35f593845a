// Fan-out benchmark: one edition to N readers through K real worker processes into postfix's smtp-sink,
// against the wire ceiling measured in the same run (postfix smtp-source into the same sink, with the
// digest's real size, as many messages and as many parallel sessions as the workers' SMTP pools).
// Prints figures and a correctness check; asserts nothing (test/bench/fanout.test.ts runs a small one).
//
//   npm run bench:fanout -- [--subscribers 100000] [--workers 1] [--redis] [--personal] [--dkim [rsa|ed25519|dual]] [--json] [--ceiling-min 20000]
// --personal  topics on 30 % of readers (1-3 of 200 terms from the pool's own words), a history of 0-20
//             earlier papers per reader, and "more/less like this" on 1-4 of them from 30 % of readers
//             (their own ranking), so that distinct lists are many
// --dkim      signs every message (DKIM_*) with fresh keys, to measure what signing costs: rsa (the default,
//             2048 bits), ed25519, or dual (both, RFC 8463); every signature's size counts in the ceiling's message
// --assign-only  nothing sent: the K workers build the edition (in shards of ASSIGN_SHARD_READERS, as in
//             production) with the send queue paused, to measure assignment by itself
// Sending knobs pass through from the environment, e.g. SMTP_POOL_SIZE=10 SEND_CONCURRENCY=4.
import { POOL_SIZE } from '../src/domain/edition.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { loadConfig, type ResolvedConfig } from '../src/config.js';
import { seedPapers } from '../src/runtime/seed.js';
import type { ReaderView } from '../src/domain/reader.js';
import { createDigestComposer } from '../src/jobs/compose-digest.js';
import { type Producer } from '../src/jobs/queues.js';
import { startEdition } from '../src/jobs/start-edition.js';
import { startPortOf } from '../src/runtime/jobs.js';
import { digestInParts } from '../src/jobs/render-edition.js';
import { freePort } from '../src/runtime/embedded-postgres.js';
import { createRuntime, type Runtime } from '../src/runtime/index.js';
import { progress } from '../src/main/cli/progress.js';
import { rawText, type RawMessage } from '../src/mail/mailer.js';
import { createDkimSigner } from '../src/mail/dkim.js';
import { dumpInto, listening, startSampler, verifySample } from './dkim-sample.js';
import { cpuOfTree, machineBusy, postmasterPid, rssOf, runBench, sleep, type BenchServices } from './services.js';

// `--dkim` alone means `--dkim rsa`.
const argv = process.argv.slice(2);
const dkimAt = argv.indexOf('--dkim');
if (dkimAt >= 0 && !/^(rsa|ed25519|dual)$/.test(argv[dkimAt + 1] ?? '')) argv[dkimAt] = '--dkim=rsa';
const { values: args } = parseArgs({
  args: argv,
  options: {
    subscribers: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '1' },
    redis: { type: 'boolean', default: false },
    personal: { type: 'boolean', default: false },
    dkim: { type: 'string' },
    'assign-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    // The ceiling's least message count (20,000 for figures; the small run in npm test passes fewer).
    'ceiling-min': { type: 'string', default: '20000' },
  },
});
if (args.dkim && !/^(rsa|ed25519|dual)$/.test(args.dkim)) throw new Error(`--dkim: rsa, ed25519 or dual, not ${args.dkim}`);
const N = Number(args.subscribers);
const pemOf = (type: 'rsa' | 'ed25519') =>
  (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519')).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const K = Number(args.workers);
const root = new URL('..', import.meta.url).pathname;
const say = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
async function main({ dataDir, pg, redisUrl, children, cleanups }: BenchServices) {
  const postmaster = postmasterPid(dataDir);

  // One smtp-sink for the ceiling and the fan-out; -c prints a running count of received messages.
  const pf = spawnSync('bash', [join(root, 'bench/postfix.sh')], { encoding: 'utf8' }).stdout.trim();
  const postfixEnv = { ...process.env, LD_LIBRARY_PATH: join(pf, 'usr/lib/postfix') };
  const sinkPort = await freePort();
  let received = 0;
  const startSink = async (extra: string[]) => {
    const p = spawn(join(pf, 'usr/sbin/smtp-sink'), ['-c', '-u', 'nobody', ...extra, `127.0.0.1:${sinkPort}`, '1024'], { env: postfixEnv, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(p);
    received = 0;
    p.stdout!.on('data', (b: Buffer) => {
      const all = [...b.toString().matchAll(/mesg=(\d+)/g)];
      if (all.length) received = Number(all.at(-1)![1]);
    });
    await listening(sinkPort);
    return p;
  };
  let sink = await startSink([]);
  // Signed, the fan-out's sink also dumps every message, and a sample is kept for dkimpy to verify
  // (bench/dkim-sample.ts). The ceiling is measured without the dump; the fan-out pays for it.
  const shm = join('/dev/shm', `papermail-fanout-${process.pid}`);
  if (args.dkim) cleanups.push(() => rmSync(shm, { recursive: true, force: true }));
  let sampler: ReturnType<typeof startSampler> | null = null;
  cleanups.push(() => void sampler?.stop());

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
    ...(args.dkim ? { DKIM_DOMAIN: 'example.org' } : {}),
    ...(args.dkim === 'rsa' || args.dkim === 'dual' ? { DKIM_SELECTOR: 'bench', DKIM_PRIVATE_KEY: pemOf('rsa') } : {}),
    ...(args.dkim === 'ed25519' || args.dkim === 'dual' ? { DKIM_ED25519_SELECTOR: 'bench-ed', DKIM_ED25519_PRIVATE_KEY: pemOf('ed25519') } : {}),
  };
  const tuning = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(SEND_|SMTP_POOL_SIZE|ASSIGN_SHARD_READERS|BUILD_CONCURRENCY)/.test(k))) as Record<string, string>;
  const config = { ...loadConfig({ ...env, ...tuning }), secret: env.SECRET!, adminToken: env.ADMIN_TOKEN! };
  // Its own log lines go to stderr: stdout carries only the result (the last line is JSON with --json).
  const rt = await createRuntime(config, { sendsMail: false, seed: false, logDestination: pino.destination(2) });
  cleanups.unshift(() => rt.close());
  const { database, repos, producer } = rt;
  await seedPapers(repos.papers);
  let t = performance.now();
  await database.db.execute(sql`
    insert into subscribers (email, status, frequency, confirmed_at)
    select 'reader' || g || '@bench.example.org', 'active', 'daily', now() from generate_series(1, ${N}) g`);
  if (args.personal) {
    // 200 terms from the pool's own titles, so that topics match; 1-3 of them on 30 % of readers.
    const pool = await repos.papers.selectPool({ days: config.digest.window.daily, now: new Date() }, POOL_SIZE);
    const counts = new Map<string, number>();
    for (const p of pool) for (const w of new Set(p.title.toLowerCase().match(/[a-z]{5,}/g) ?? [])) counts.set(w, (counts.get(w) ?? 0) + 1);
    const vocabulary = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 200).map(([w]) => w);
    // Pseudo-random per reader (hashes of the id), so that every reader draws their own.
    await database.db.execute(sql`
      update subscribers s set topics = to_jsonb(array(
        select distinct v[1 + abs(hashtext(s.id || ':' || g)) % array_length(v, 1)] from generate_series(1, 1 + s.id % 3) g))
      from (select ${sql.param(vocabulary)}::text[] as v) voc
      where abs(hashtext(s.id::text)) % 10 < 3`);
    // A history of 0-20 earlier papers each, as one earlier edition's rows.
    const ids = pool.map((p) => p.id);
    const past = await database.db.execute<{ id: number }>(sql`
      insert into editions (frequency, period, status, paper_ids, finished_at) values ('daily', 'bench-history', 'sent', ${JSON.stringify(ids)}::jsonb, now()) returning id`);
    await database.db.execute(sql`
      insert into deliveries (edition_id, subscriber_id, status, paper_ids, slot, sent_at)
      select ${past.rows[0]!.id}, s.id, 'sent',
             coalesce((select jsonb_agg(x) from (select x from unnest(${sql.param(ids)}::text[]) x order by md5(x || s.id) limit abs(hashtext('h' || s.id)) % 21) h), '[]'::jsonb),
             'bench-history', now()
      from subscribers s`);
    // Feedback on 30 % of readers (another draw): 1-4 of the papers in their history, one in four "less like this".
    await database.db.execute(sql`
      insert into feedback (subscriber_id, paper_id, choice, at)
      select d.subscriber_id, x.paper, (case when x.n % 4 = 0 then 'less' else 'more' end)::feedback_choice, now() - make_interval(days => x.n::int)
      from deliveries d
      cross join lateral (
        select e.value #>> '{}' as paper, e.n from jsonb_array_elements(d.paper_ids) with ordinality as e(value, n)
        limit 1 + abs(hashtext('f' || d.subscriber_id)) % 4) x
      where d.edition_id = ${past.rows[0]!.id} and abs(hashtext('fb' || d.subscriber_id)) % 10 < 3`);
    const liked = await database.db.execute<{ readers: number }>(sql`select count(distinct subscriber_id)::int as readers from feedback`);
    say(
      `personal: topics on 30 % of readers from ${vocabulary.length} terms, a history of 0-20 of the ${ids.length} pool papers each, feedback from ${liked.rows[0]!.readers} readers (${((liked.rows[0]!.readers / N) * 100).toFixed(0)} %)`,
    );
  }
  // Statistics for the tables just filled, as a database in service has them: without, the planner takes
  // the million rows for none, and reads of readers' histories scan the whole table.
  await database.db.execute(sql`analyze subscribers, deliveries, feedback`);
  say(`setup: ${N} subscribers in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // The worker as `npm run worker` starts it (its node flags: the heap limits), without npm in between, so
  // that the measured RSS is the worker's own.
  const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.worker!;
  const nodeFlags = script.replace(/^exec node\s+/, '').split(/\s+/);
  for (let i = 0; i < K; i++) {
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    children.push(spawn(process.execPath, [...prof, ...nodeFlags], { cwd: root, env: { ...process.env, ...env, ...tuning }, stdio: ['ignore', 'ignore', 'inherit'] }));
  }
  const workers = children.slice(-K);
  await sleep(3000);

  if (args['assign-only']) return assignOnly({ producer, workers, dataDir, database, repos, config });

  // The ceiling, in the same run, just before the fan-out and into the same sink: postfix's smtp-source with
  // the digest's size, as many messages (20,000 at least) and as many parallel sessions as the workers' SMTP
  // connections. The size is the edition's digest composed as the workers will compose it (the pool the
  // edition is about to fix, rendered in parts as its builder renders it) for the reader of the highest id
  // with a full list; the longest digest actually sent is printed after the run beside it.
  const compose = (template: string | null) =>
    createDigestComposer({ template: async (renderId) => template ?? repos.renders.template(renderId), tokens: rt.tokens, publicUrl: config.publicUrl, mailFrom: config.mailFrom, secret: config.secret });
  const nextId = Number((await database.db.execute<{ id: number }>(sql`select coalesce(max(id), 0) + 1 as id from editions`)).rows[0]!.id);
  const pool = await repos.papers.selectPool({ days: config.digest.window.daily, now: new Date() }, POOL_SIZE);
  const planned = await compose(JSON.stringify(await digestInParts(rt, { id: nextId, frequency: 'daily' }, pool)))(
    nextId,
    { id: N, subscriberId: N, email: `reader${N}@bench.example.org`, renderId: 0, paperIds: pool.slice(0, config.digest.size).map((p) => p.id), view: { day: new Date().toISOString().slice(0, 10) }, attempts: 1, unsendable: null, resumedAt: 0 },
    new Date(),
  );
  // The ceiling's messages are as long as the digest on the wire: with its signature(s) when signed.
  const onWire = (raw: RawMessage) => Buffer.byteLength(rawText(config.dkim ? createDkimSigner(config.dkim).sign(raw) : raw));
  const bytes = Math.max(1000, planned ? onWire(planned.raw) : 0);
  const sessions = K * config.send.poolSize;
  const messages = Math.max(N, Number(args['ceiling-min']));
  const t0 = performance.now();
  const ceilingMachine0 = machineBusy();
  const sinkBefore = received;
  // Asynchronous: the sink's counter must keep being read while smtp-source runs, or its pipe fills and it stalls.
  const src = spawn(join(pf, 'usr/sbin/smtp-source'), ['-s', String(sessions), '-l', String(bytes), '-m', String(messages), '-f', 'bench@papermail.test', '-t', 'sink@papermail.test', `127.0.0.1:${sinkPort}`], { env: postfixEnv, stdio: 'ignore' });
  const code = await new Promise<number | null>((res) => src.once('exit', res));
  const ceilingSeconds = (performance.now() - t0) / 1000;
  const ceiling = messages / ceilingSeconds;
  const ceilingMachineShare = (machineBusy() - ceilingMachine0) / ceilingSeconds / availableParallelism();
  if (code !== 0) throw new Error(`smtp-source failed (${code})`);
  // The sink's count for the fan-out starts after the ceiling's last message is counted.
  for (let i = 0; i < 100 && received - sinkBefore < messages; i++) await sleep(100);
  if (args.dkim) {
    sink.kill('SIGTERM');
    await new Promise((r) => sink.once('exit', r));
    sampler = startSampler(join(shm, 'dump'), join(shm, 'keep'), Math.min(1, 400 / N));
    sink = await startSink(dumpInto(join(shm, 'dump')));
  }

  const rss = workers.map((w) => ({ start: rssOf(w.pid!), peak: 0, end: 0 }));
  const pgCpu0 = cpuOfTree(postmaster);
  // Postgres's commits over the fan-out: each is a WAL flush, the largest share of its CPU per message.
  const commits = async () => Number((await database.db.execute<{ n: string }>(sql`select xact_commit::text as n from pg_stat_database where datname = current_database()`)).rows[0]!.n);
  const commits0 = await commits();
  // Every other process on the two cores: where the machine's CPU goes, per message.
  const redisPid = children.find((ch) => ch.spawnfile === 'redis-server')?.pid;
  const others = { workers: workers.map((w) => w.pid!), sink: [sink.pid!], redis: redisPid ? [redisPid] : [] };
  const cpuOf = (pids: number[]) => pids.reduce((a, p) => a + cpuOfTree(p), 0);
  const others0 = Object.fromEntries(Object.entries(others).map(([k, pids]) => [k, cpuOf(pids)]));
  const benchCpu0 = process.cpuUsage();
  const machine0 = machineBusy();
  const received0 = received;
  t = performance.now();
  const triggeredAt = Date.now();
  const { id } = await startEdition(startPortOf({ repos, producer, config, now: () => new Date() }), 'daily', true);
  const bar = progress('sent', N);
  let done = 0;
  // The observer stays light on the two cores it shares: RSS (a /proc read) four times a second; once a
  // second the sink's count for the bar and the edition's status (one row). The rows are counted only once
  // the edition says it is sent: a count over a million rows every second would cost Postgres most of a core.
  // The end is the last row's sent_at, not the poll.
  const status = async () => (await database.db.execute<{ status: string }>(sql`select status from editions where id = ${id}`)).rows[0]?.status;
  for (let tick = 1; ; tick++) {
    await sleep(250);
    workers.forEach((w, i) => (rss[i]!.peak = Math.max(rss[i]!.peak, rssOf(w.pid!))));
    if (tick % 4) continue;
    bar.tick(received - received0 - done);
    done = received - received0;
    if ((await status()) !== 'sent') continue;
    // Sending starts while later pages are still assigned: wait for every reader, not the first 'sent'.
    const s = (await repos.reports.stats(id))!;
    if (s.sent + s.failed + s.skipped >= N) break;
  }
  bar.stop();
  const lastSent = await database.db.execute<{ at: number }>(sql`select extract(epoch from max(sent_at))::float8 * 1000 as at from deliveries where edition_id = ${id}`);
  const seconds = (lastSent.rows[0]?.at ? Number(lastSent.rows[0].at) - triggeredAt : performance.now() - t) / 1000;
  const pgCpu = cpuOfTree(postmaster) - pgCpu0;
  const pgCommits = (await commits()) - commits0;
  const benchCpu = process.cpuUsage(benchCpu0);
  const cpuSeconds = {
    postgres: pgCpu,
    ...Object.fromEntries(Object.entries(others).map(([k, pids]) => [k, cpuOf(pids) - others0[k]!])),
    bench: (benchCpu.user + benchCpu.system) / 1e6,
  };
  const observed = (performance.now() - t) / 1000;
  // The machine's busy share over the fan-out, softirq included (loopback TCP's receive work is charged to no process).
  const machineShare = (machineBusy() - machine0) / observed / availableParallelism();
  workers.forEach((w, i) => (rss[i]!.end = rssOf(w.pid!)));
  await sleep(500);
  const sinkCount = received - received0;

  const edition = (await repos.editions.byId(id))!;
  const stats = (await repos.reports.stats(id))!;
  const q = await database.db.execute<{ rows: number; readers: number; sent: number; lists: number; assigned: number }>(sql`
    select count(*)::int as rows, count(distinct subscriber_id)::int as readers, count(*) filter (where status = 'sent')::int as sent,
           count(distinct paper_ids::text) filter (where status <> 'skipped')::int as lists,
           extract(epoch from max(created_at) - ${new Date(edition.createdAt).toISOString()}::timestamptz)::float8 as assigned
    from deliveries where edition_id = ${id}`);
  // The digest's size on the wire: one message composed as the workers compose it, for a longest list.
  const sample = await database.db.execute<{ id: number; subscriberId: number; email: string; renderId: number; paperIds: string[]; view: ReaderView | null }>(sql`
    select d.id, d.subscriber_id as "subscriberId", s.email, d.render_id as "renderId", d.paper_ids as "paperIds", d.view
    from deliveries d join subscribers s on s.id = d.subscriber_id
    where d.edition_id = ${id} and d.status = 'sent' order by jsonb_array_length(d.paper_ids) desc, d.id limit 1`);
  const message = sample.rows[0] ? await compose(null)(id, { ...sample.rows[0], attempts: 1, unsendable: null, resumedAt: 0 }, new Date()) : null;
  const c = { ...q.rows[0]!, size: message ? onWire(message.raw) : 0 };
  const rate = stats.sent / seconds;
  const ratio = rate / ceiling;

  const dkimVerified = sampler && config.dkim ? (sampler.stop(), await verifySample(join(shm, 'keep'), config.dkim, 200, 'bench@papermail.test', join(root, 'test/helpers/dkim_verify.py'))) : null;
  const ok = c.readers === N && c.rows === N && stats.sent + stats.skipped === N && sinkCount === stats.sent && stats.failed === 0;
  const result = {
    subscribers: N,
    workers: K,
    queue: redisUrl ? 'redis' : 'postgres',
    personal: args.personal,
    dkim: args.dkim ?? false,
    messageKB: Number((c.size / 1024).toFixed(1)),
    ceilingMessageKB: Number((bytes / 1024).toFixed(1)),
    seconds: Number(seconds.toFixed(1)),
    rate: Math.round(rate),
    ceiling: Math.round(ceiling),
    ratio: Number(ratio.toFixed(2)),
    assignedSeconds: Number(c.assigned.toFixed(1)),
    renders: stats.renders,
    distinctLists: c.lists,
    sent: stats.sent,
    skipped: stats.skipped,
    failed: stats.failed,
    sinkReceived: sinkCount,
    workerRssMB: rss.map((r) => ({ start: Math.round(r.start), peak: Math.round(r.peak), end: Math.round(r.end) })),
    postgresCpuShare: Number((pgCpu / (observed * availableParallelism())).toFixed(2)),
    postgresCommitsPerMessage: Number((pgCommits / Math.max(1, stats.sent)).toFixed(2)),
    machineBusyShare: { fanout: Number(machineShare.toFixed(2)), ceiling: Number(ceilingMachineShare.toFixed(2)) },
    cpuMsPerMessage: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, Number(((v * 1000) / Math.max(1, stats.sent)).toFixed(2))])),
    exactlyOnce: ok,
    dkimVerified,
    tuning,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  say(`queue: ${result.queue}, workers: ${K}, SMTP connections: ${sessions}, DKIM: ${{ rsa: 'rsa-sha256 2048', ed25519: 'ed25519-sha256', dual: 'rsa-sha256 2048 + ed25519-sha256' }[args.dkim ?? ''] ?? 'off'}, message: ${result.messageKB} KB, tuning: ${JSON.stringify(tuning)}`);
  say(`fan-out: ${stats.sent} messages in ${seconds.toFixed(1)} s = ${result.rate} msg/s (trigger to the last row sent)`);
  say(`ceiling (just before the fan-out): smtp-source → smtp-sink, ${messages} messages of ${bytes} bytes (the longest digest sent: ${c.size}) over ${sessions} sessions = ${result.ceiling} msg/s`);
  say(`ratio=${result.ratio}`);
  say(`assignment: every reader assigned ${result.assignedSeconds} s after the trigger; renders: ${stats.renders} (MJML: 2 each, the digest in parts), distinct lists: ${c.lists}, skipped (empty list): ${stats.skipped}`);
  rss.forEach((r, i) => say(`worker ${i + 1} RSS: start ${r.start.toFixed(0)} MB, peak ${r.peak.toFixed(0)} MB, end ${r.end.toFixed(0)} MB`));
  say(`Postgres CPU: ${pgCpu.toFixed(1)} s = ${(result.postgresCpuShare * 100).toFixed(0)} % of the machine's ${availableParallelism()} cores over the fan-out; ${result.postgresCommitsPerMessage} commits per message sent`);
  say(`CPU per message sent (ms): ${Object.entries(result.cpuMsPerMessage).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  say(`machine busy (all ${availableParallelism()} cores, softirq included): ${Math.round(machineShare * 100)} % over the fan-out, ${Math.round(ceilingMachineShare * 100)} % over the ceiling run`);
  if (dkimVerified && (dkimVerified.failed || dkimVerified.passed < dkimVerified.signatures)) process.exitCode = 1;
  if (dkimVerified)
    say(`DKIM: dkimpy verified ${dkimVerified.passed} of ${dkimVerified.signatures} signatures on ${dkimVerified.sampled} messages sampled from the sink (${JSON.stringify(dkimVerified.algorithms)}); ${dkimVerified.failed} messages failed`);
  say(`check: ${c.rows} rows for ${c.readers} readers, ${stats.sent} sent, ${stats.failed} failed, sink received ${sinkCount}: ${ok ? 'every reader exactly once' : 'MISMATCH'}`);
}

await runBench('fanout', { redis: args.redis }, main);

/** --assign-only: the K workers build the edition, its sends held back (the send queue paused); prints when every reader had a row. */
async function assignOnly({ producer, workers, dataDir, database, repos, config }: { producer: Producer; workers: ChildProcess[]; dataDir: string; database: Runtime['database']; repos: Runtime['repos']; config: ResolvedConfig }) {
  await producer.queues.send.pause();
  const now = () => new Date();
  const postmaster = postmasterPid(dataDir);
  const pgCpu0 = cpuOfTree(postmaster);
  const workersCpu = () => workers.reduce((a, w) => a + cpuOfTree(w.pid!), 0);
  const workersCpu0 = workersCpu();
  const rss = workers.map(() => 0);
  const t = performance.now();
  const { id } = await startEdition(startPortOf({ repos, producer, config, now }), 'daily', true);
  // Assigned once the edition has moved on from 'assigning' (its last pass found no target left).
  for (;;) {
    await sleep(100);
    workers.forEach((w, i) => (rss[i] = Math.max(rss[i]!, rssOf(w.pid!))));
    const e = (await database.db.execute<{ status: string; quiet: number }>(sql`
      select status, extract(epoch from now() - coalesce(assign_beat_at, created_at))::float8 as quiet from editions where id = ${id}`)).rows[0]!;
    if (e.status !== 'assigning' && e.status !== 'pending') break;
    // A build that stopped beating for a minute has failed (the workers' log says why): say so, not wait.
    if (e.quiet > 60) throw new Error(`the edition's build has not beaten for ${Math.round(e.quiet)} s: it failed (run a worker with LOG_LEVEL=info to see why)`);
  }
  const seconds = (performance.now() - t) / 1000;
  const cpu = { workersSeconds: Number((workersCpu() - workersCpu0).toFixed(1)), postgresSeconds: Number((cpuOfTree(postmaster) - pgCpu0).toFixed(1)) };
  const q = await database.db.execute<{ rows: number; readers: number; queued: number; skipped: number; lists: number; shards: number }>(sql`
    select count(*)::int as rows, count(distinct subscriber_id)::int as readers, count(*) filter (where status = 'queued')::int as queued,
           count(*) filter (where status = 'skipped')::int as skipped, count(distinct paper_ids::text) filter (where status <> 'skipped')::int as lists,
           (select count(*)::int from edition_shards where edition_id = ${id}) as shards
    from deliveries where edition_id = ${id}`);
  const c = q.rows[0]!;
  const stats = (await repos.reports.stats(id))!;
  const result = { subscribers: N, workers: K, assignOnly: true, personal: args.personal, assignedSeconds: Number(seconds.toFixed(1)), readersPerSecond: Math.round(N / seconds), shards: c.shards, renders: stats.renders, distinctLists: c.lists, queued: c.queued, skipped: c.skipped, workerRssMB: rss.map(Math.round), ...cpu, everyReaderOnce: c.rows === N && c.readers === N && c.queued + c.skipped === N };
  if (args.json) return void process.stdout.write(`${JSON.stringify(result)}\n`);
  say(`assignment alone (${K} worker${K > 1 ? 's' : ''}, nothing sent): every reader assigned in ${result.assignedSeconds} s = ${result.readersPerSecond} readers/s; ${c.shards ? `${c.shards} shards of about ${config.digest.shardReaders} readers` : 'one builder (no shards)'}; renders: ${result.renders}, distinct lists: ${c.lists}, queued ${c.queued}, skipped (empty list) ${c.skipped}; worker RSS peaks ${result.workerRssMB.join(' / ')} MB`);
  say(`CPU: workers ${cpu.workersSeconds} s (${((cpu.workersSeconds / seconds) * 100).toFixed(0)} % of a core), Postgres ${cpu.postgresSeconds} s (${((cpu.postgresSeconds / seconds) * 100).toFixed(0)} % of a core); per reader ${((cpu.workersSeconds / N) * 1e6).toFixed(0)} + ${((cpu.postgresSeconds / N) * 1e6).toFixed(0)} µs`);
  say(`check: ${c.rows} rows for ${c.readers} readers: ${result.everyReaderOnce ? 'one each' : 'MISMATCH'}`);
  if (!result.everyReaderOnce) process.exitCode = 1;
}
