// `npm start` with no services configured: embedded Postgres, BullMQ on Postgres, the built-in SMTP
// catcher and /dev/inbox, generated secrets; and CLI commands reaching the same running database.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../src/runtime/embedded-postgres.js';

const root = new URL('../..', import.meta.url).pathname;
const tsx = join(root, 'node_modules/.bin/tsx');
// Only what a fresh machine has: no DATABASE_URL, REDIS_URL or SMTP_URL.
const cleanEnv = () => {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'SECRET', 'ADMIN_TOKEN', 'PUBLIC_URL']) delete env[k];
  return env;
};

describe('npm start on embedded defaults', () => {
  let child: ChildProcess;
  let out = '';
  let base = '';
  let dataDir = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'papermail-start-'));
    chmodSync(dataDir, 0o755); // as root, Postgres runs as the postgres user, which must get through
    const port = await freePort();
    base = `http://localhost:${port}`;
    env = { ...cleanEnv(), PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', INGEST_CRON: '0 0 1 1 *', HF_API_URL: 'http://127.0.0.1:9/api/daily_papers' };
    // `npm start` itself, as a process manager runs it: its SIGTERM must stop node and Postgres too.
    child = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await vi.waitFor(() => expect(out).toContain('Admin token:'), { timeout: 90_000, interval: 100 });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(child.exitCode).toBe(0);
    // Nothing of it is left running: not node, not the embedded Postgres on its data directory.
    const left = spawnSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).stdout.trim();
    expect(left).toBe('');
    expect(out).toContain('SIGTERM: shutting down');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the signup URL, the dev inbox and the generated admin token', () => {
    expect(out).toContain(`Signup page:  ${base}/`);
    expect(out).toContain(`Dev inbox:    ${base}/dev/inbox`);
    const token = /Admin token:\s+(\S+)/.exec(out)![1];
    expect(JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).adminToken).toBe(token);
    expect(out).toContain(`Console:      ${base}/admin`);
  });

  it('serves /metrics on a fresh install with the generated token it prints, and refuses it without', async () => {
    const token = /Metrics:\s+curl -H 'Authorization: Bearer (\S+)'/.exec(out)![1]!;
    expect(JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).metricsToken).toBe(token);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# TYPE papermail_subscribers gauge$/m);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
  });

  it('subscribes, confirms through the dev inbox, and delivers a digest of 10 seed papers there', async () => {
    const token = /Admin token:\s+(\S+)/.exec(out)![1]!;
    const signup = await fetch(`${base}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=embedded%40example.org&frequency=daily' });
    expect(signup.status).toBe(200);
    const inbox = async () => (await (await fetch(`${base}/dev/inbox.json`)).json()) as { id: string; subject: string; to: string }[];
    const confirm = await vi.waitFor(async () => {
      const m = (await inbox()).find((x) => x.subject.startsWith('Confirm'));
      if (!m) throw new Error('no confirmation yet');
      return m;
    }, { timeout: 20_000, interval: 200 });
    const mail = await simpleParser(Buffer.from(await (await fetch(`${base}/dev/inbox/${confirm.id}.eml`)).arrayBuffer()));
    const link = /http:\/\/localhost:\d+\/confirm\/\S+/.exec(mail.text!)![0];
    expect((await fetch(link)).status).toBe(200);
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);

    const res = await fetch(`${base}/api/admin/editions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"frequency":"daily"}' });
    expect(res.status).toBe(201);
    const digest = await vi.waitFor(async () => {
      const m = (await inbox()).find((x) => x.subject.startsWith('Trending papers'));
      if (!m) throw new Error('no digest yet');
      return m;
    }, { timeout: 20_000, interval: 200 });
    expect(digest.to).toBe('embedded@example.org');
    const page = await (await fetch(`${base}/dev/inbox/${digest.id}`)).text();
    expect(page).toContain('List-Unsubscribe=One-Click');
    const parsed = await simpleParser(Buffer.from(await (await fetch(`${base}/dev/inbox/${digest.id}.eml`)).arrayBuffer()));
    expect(parsed.text!.match(/^\d+\. /gm)).toHaveLength(10);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });

  it('runs db:migrate and db:seed against the running embedded Postgres', () => {
    for (const script of ['src/main/cli/migrate.ts', 'src/main/cli/seed.ts']) {
      const r = spawnSync(tsx, [script], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('using the embedded Postgres already running');
    }
    const seed = spawnSync(tsx, ['src/main/cli/seed.ts'], { cwd: root, env, encoding: 'utf8' });
    expect(seed.stdout).toContain('seed: 71 papers, 0 added');
  });

  it('previews the next digest for a reader without sending it', async () => {
    const before = ((await (await fetch(`${base}/dev/inbox.json`)).json()) as unknown[]).length;
    const file = join(dataDir, 'preview.html');
    const r = spawnSync(tsx, ['src/main/cli/digest.ts', '--preview', file, '--frequency', 'daily', '--email', 'embedded@example.org'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/preview\.html: "Trending papers, .*" with \d+ of \d+ candidate papers for embedded@example\.org/);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<title>Trending papers/);
    expect(((await (await fetch(`${base}/dev/inbox.json`)).json()) as unknown[]).length).toBe(before);
  });
});

describe('a bad setting stops the start', () => {
  it('names the variable and exits non-zero', () => {
    const r = spawnSync(tsx, ['src/main/start.ts'], { cwd: root, env: { ...cleanEnv(), DIGEST_TZ: 'Nowhere/Land' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/DIGEST_TZ: must be an IANA time zone/);
  });

  it('reads settings from .env in the working directory, under those of the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'papermail-dotenv-'));
    writeFileSync(join(dir, '.env'), 'DIGEST_TZ=Nowhere/Land\nDIGEST_SIZE=0\n');
    const { NODE_ENV: _, ...env } = cleanEnv();
    const r = spawnSync(tsx, [join(root, 'src/main/start.ts')], { cwd: dir, env: { ...env, DIGEST_SIZE: '5' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/DIGEST_TZ: must be an IANA time zone/);
    // DIGEST_SIZE=5 from the environment wins over the file's 0.
    expect(r.stderr).not.toMatch(/DIGEST_SIZE/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a .env copied from .env.example, then Ctrl-C in the terminal', () => {
  it('with only PORT and NEWSLETTER_NAME changed, links use that port and mail comes from that name; Ctrl-C stops it all within 5 s, quietly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'papermail-dotenv-start-'));
    chmodSync(dir, 0o755);
    const port = await freePort();
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    writeFileSync(join(dir, '.env'), example.replace(/^# PORT=3000$/m, `PORT=${port}`).replace(/^# NEWSLETTER_NAME=papermail$/m, 'NEWSLETTER_NAME=Paper Radar'));
    const { NODE_ENV: _, ...env } = cleanEnv();
    // A terminal's foreground job: a process group of its own, which Ctrl-C signals as a whole.
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, join(root, 'src/main/start.ts')], { cwd: dir, env: { ...env, INGEST_CRON: '0 0 1 1 *', HF_API_URL: 'http://127.0.0.1:9/x' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await vi.waitFor(() => expect(out).toContain('Admin token:'), { timeout: 90_000, interval: 100 });
      const base = `http://localhost:${port}`;
      expect(out).toContain(`Signup page:  ${base}/`);
      expect((await fetch(`${base}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=dotenv%40example.org' })).status).toBe(200);
      const confirm = await vi.waitFor(async () => {
        const m = ((await (await fetch(`${base}/dev/inbox.json`)).json()) as { id: string; subject: string }[]).find((x) => x.subject.startsWith('Confirm'));
        if (!m) throw new Error('no confirmation yet');
        return m;
      }, { timeout: 20_000, interval: 200 });
      expect(confirm.subject).toBe('Confirm your Paper Radar subscription');
      const mail = await simpleParser(Buffer.from(await (await fetch(`${base}/dev/inbox/${confirm.id}.eml`)).arrayBuffer()));
      expect(mail.from?.value[0]).toMatchObject({ name: 'Paper Radar', address: 'digest@paper-radar.localhost' });
      expect(mail.text).toContain(`${base}/confirm/`);

      process.kill(-child.pid!, 'SIGINT');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 5 s'), 5000))]);
      expect(code, out).toBe(0);
      // The API and the worker stopped before Postgres: no connection errors on the way out.
      expect(out).toContain('SIGINT: shutting down');
      expect(out).not.toMatch(/queue connection error|outbox relay failed|"level":50|terminating connection/);
      expect(spawnSync('pgrep', ['-f', dir], { encoding: 'utf8' }).stdout.trim()).toBe('');
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
