// The production stack docker-compose.yml describes, run as processes (there is no Docker engine here):
// PostgreSQL of the image's major, redis-server with the compose file's own flags, an SMTP sink in place of
// mailpit, and the api and worker services' commands, each with exactly the environment compose resolves
// (`docker-compose config`: ${VAR:-default} and ${VAR:?message} as compose reads them), the service names
// mapped to the local ports. The api and the worker run from a copy of the project holding what the
// Dockerfile copies and only the packages `npm ci --omit=dev` installs. A reader then signs up, confirms,
// gets the digest and leaves with one click; both processes stop on SIGTERM within the grace period.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../../src/runtime/embedded-postgres.js';
import { EMBEDDED, startPostgres, type PostgresServer } from '../helpers/postgres-servers.js';
import { header, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const ci = process.env.CI === 'true' || process.env.CI === '1';
const probe = spawnSync('docker-compose', ['--version'], { encoding: 'utf8' });
const hasCompose = probe.status === 0;
if (!hasCompose) {
  const msg = `docker-compose is not installed (apt-get install -y docker-compose): the compose stack cannot be read (${probe.error?.message ?? probe.stderr}).`;
  if (ci) throw new Error(`${msg} CI=true, so this is a failure, not a skip.`);
  console.warn(`\n!!! ${msg} It is SKIPPED on this machine; CI runs it.\n`);
}

type Service = { image?: string; command?: string[]; environment?: Record<string, string>; stop_grace_period?: string };
const SECRET = 'compose-secret-compose-secret-compose-0';
const ADMIN_TOKEN = 'compose-admin-token-0123';

describe.skipIf(!hasCompose)('the docker-compose stack, as processes', () => {
  let services: Record<string, Service>;
  let postgres: PostgresServer;
  let redis: ChildProcess;
  let sink: SmtpSink;
  let app: string;
  const apps: Record<string, ChildProcess> = {};
  const output: Record<string, string> = { api: '', worker: '' };
  let base: string;

  beforeAll(async () => {
    const apiPort = await freePort();
    base = `http://127.0.0.1:${apiPort}`;
    // What an operator exports before `docker compose up` (the README's three lines); the rest is compose's.
    const { stdout } = await run('docker-compose', ['config'], { cwd: root, env: { ...process.env, SECRET, ADMIN_TOKEN, PUBLIC_URL: base } });
    services = (parse(stdout) as { services: Record<string, Service> }).services;

    // Postgres of the image's major, with the image's user, password and database.
    const major = Number(/^postgres:(\d+)/.exec(services.postgres!.image!)?.[1]);
    postgres = await startPostgres(EMBEDDED.find((b) => b.major === major)!);
    const pgEnv = services.postgres!.environment!;
    const admin = new pg.Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query(`create role ${pgEnv.POSTGRES_USER} login password '${pgEnv.POSTGRES_PASSWORD}'`);
    await admin.query(`create database ${pgEnv.POSTGRES_DB} owner ${pgEnv.POSTGRES_USER}`);
    await admin.end();

    // redis-server with exactly the compose file's arguments, on a port and folder of its own.
    const redisPort = await freePort();
    const [redisCmd, ...redisArgs] = services.redis!.command!;
    const redisDir = mkdtempSync(join(tmpdir(), 'papermail-compose-redis-'));
    redis = spawn(redisCmd!, [...redisArgs, '--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir], { stdio: 'ignore' });
    sink = await startSmtpSink();
    const sinkPort = new URL(sink.url).port;

    // The image: what the Dockerfile copies, and what `npm ci --omit=dev` installs (from npm's cache).
    app = mkdtempSync(join(tmpdir(), 'papermail-compose-app-'));
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    for (const [, from] of dockerfile.matchAll(/^COPY\s+(.+?)\s+\S+$/gm)) for (const f of from!.split(/\s+/)) cpSync(join(root, f), join(app, f), { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, maxBuffer: 1 << 24 });

    // The service names are the containers' hosts; here they are local ports.
    const hosts: Record<string, string> = { 'postgres:5432': `127.0.0.1:${new URL(postgres.adminUrl).port}`, 'redis:6379': `127.0.0.1:${redisPort}`, 'mailpit:1025': `127.0.0.1:${sinkPort}` };
    const local = (v: string) => Object.entries(hosts).reduce((s, [from, to]) => s.replace(`@${from}/`, `@${to}/`).replace(`//${from}`, `//${to}`), v);
    for (const name of ['api', 'worker']) {
      const env = Object.fromEntries(Object.entries(services[name]!.environment!).map(([k, v]) => [k, local(String(v))]));
      const [cmd, ...args] = services[name]!.command!;
      // The image's ENV (NODE_ENV=production) and the container's port; nothing of the test's own environment.
      const child = spawn(cmd!, args, { cwd: app, env: { PATH: process.env.PATH!, HOME: app, NODE_ENV: 'production', PORT: String(apiPort), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => void (output[name] += d.toString()));
      child.stderr!.on('data', (d: Buffer) => void (output[name] += d.toString()));
      apps[name] = child;
    }
    // The api's healthcheck, as compose runs it.
    for (let i = 0; ; i++) {
      const ready = await fetch(`${base}/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      if (i > 600) throw new Error(`the api never became ready:\n${output.api}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 300_000);

  afterAll(async () => {
    for (const c of Object.values(apps)) if (c.exitCode === null) c.kill('SIGKILL');
    redis?.kill('SIGTERM');
    await sink?.close();
    await postgres?.stop();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('resolves the environment as compose does: a missing SECRET stops it with its message', async () => {
    const failed = await run('docker-compose', ['config'], { cwd: root, env: { ...process.env, SECRET: '', ADMIN_TOKEN } }).then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    expect(failed).toMatch(/set SECRET/);
    expect(services.api!.environment).toMatchObject({ SECRET, ADMIN_TOKEN, PUBLIC_URL: base, NEWSLETTER_NAME: 'papermail', HOST: '0.0.0.0' });
    expect(services.api!.environment).toEqual(services.worker!.environment);
  });

  it('carries a reader from signup to one-click unsubscribe through the api and worker processes', async () => {
    const form = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect((await fetch(`${base}/subscribe`, form('email=compose%40example.org&frequency=daily'))).status).toBe(200);
    const confirmMail = (await sink.waitFor((m) => m.some((x) => /Confirm/.test(x.parsed.subject ?? '')), 60_000)).find((x) => /Confirm/.test(x.parsed.subject ?? ''))!;
    const link = new RegExp(`${base}/confirm/\\S+`).exec(confirmMail.parsed.text ?? '')![0];
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    const res = await fetch(`${base}/api/admin/editions`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{"frequency":"daily"}' });
    expect(res.status).toBe(201);
    const digest = (await sink.waitFor((m) => m.some((x) => /^Trending papers/.test(x.parsed.subject ?? '')), 60_000)).find((x) => /^Trending papers/.test(x.parsed.subject ?? ''))!;
    expect(digest.parsed.from?.value[0]).toMatchObject({ name: 'papermail', address: 'digest@papermail.localhost' });
    const unsubscribe = /<(http[^>]+)>/.exec(header(digest, 'List-Unsubscribe')!)![1]!;
    expect(unsubscribe.startsWith(`${base}/unsubscribe/`)).toBe(true);
    expect((await fetch(unsubscribe, form('List-Unsubscribe=One-Click'))).status).toBe(200);
  });

  it('stops the api and the worker on SIGTERM within the grace period', async () => {
    const grace = Number(/^(\d+)s$/.exec(services.worker!.stop_grace_period ?? '10s')![1]) * 1000;
    for (const [name, child] of Object.entries(apps)) {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), grace))]);
      expect(code, `${name}:\n${output[name]}`).toBe(0);
    }
  });
});
