// Postgres through PgBouncer in transaction mode (Debian's pgbouncer, started here): DATABASE_URL goes
// through the pooler, whose two server connections per database every client shares one transaction at a
// time; DATABASE_DIRECT_URL is the direct connection the migrations' lock and the Postgres queue's LISTEN
// need. Signup, confirmation and an edition from two workers to every reader, exactly once, on each queue
// backend.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/runtime/embedded-postgres.js';
import { sendToEveryoneOnceFromTwoWorkers, startStack, type Stack } from '../helpers/stack.js';

const READERS = 200;
const available = spawnSync('pgbouncer', ['--version']).status === 0;
if (!available && process.env.CI === 'true') throw new Error('pgbouncer is required with CI=true (apt-get install -y pgbouncer)');

/** Starts pgbouncer in transaction mode in front of the test Postgres; every database name passes through. */
async function startPgBouncer(): Promise<{ port: number; stop: () => void }> {
  const server = new URL(inject('pgAdminUrl'));
  const dir = mkdtempSync(join(tmpdir(), 'papermail-pgbouncer-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const user = decodeURIComponent(server.username);
  writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port} user=${user} password=${decodeURIComponent(server.password)}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      // Two server connections per database, shared by every client: whatever leaned on a session breaks.
      'default_pool_size = 2',
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits,options',
    ].join('\n'),
    { mode: 0o644 },
  );
  // PgBouncer refuses to run as root: it drops to the postgres user when started as root.
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn('pgbouncer', [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => void (log = (log + d.toString()).slice(-2000)));
  for (let i = 0; ; i++) {
    const c = new pg.Client({ host: '127.0.0.1', port, user, database: server.pathname.slice(1) || 'postgres' });
    try {
      await c.connect();
      await c.query('select 1');
      await c.end();
      break;
    } catch (err) {
      await c.end().catch(() => {});
      if (i > 100 || child.exitCode !== null) throw new Error(`pgbouncer did not start: ${(err as Error).message}\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { port, stop: () => void child.kill('SIGTERM') };
}

describe.skipIf(!available)('PgBouncer in transaction mode', () => {
  let bouncer: { port: number; stop: () => void };
  beforeAll(async () => {
    bouncer = await startPgBouncer();
  });
  afterAll(() => bouncer?.stop());

  describe.each(['redis', 'postgres'] as const)('with the queue on %s', (kind) => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(kind, (direct) => {
        const pooled = new URL(direct);
        pooled.port = String(bouncer.port);
        pooled.password = '';
        return { DATABASE_URL: pooled.toString(), DATABASE_DIRECT_URL: direct, SIGNUP_LIMIT_PER_MINUTE: '1000', SIGNUP_LIMIT_PER_HOUR: '1000' };
      });
    }, 60_000);
    afterAll(async () => stack?.close());

    it('goes through the pooler, with no statement prepared by name', async () => {
      const pool = stack.served.runtime.database.pool;
      expect(new URL(stack.served.runtime.database.url).port).toBe(String(bouncer.port));
      // Each transaction may land on another server connection: a named statement would not be there.
      const pids = new Set<number>();
      await Promise.all(Array.from({ length: 12 }, async () => pids.add((await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid)));
      expect(pids.size).toBeLessThanOrEqual(2);
      // The result writer's statement, from many clients at once: prepared by name, it would fail here with
      // "prepared statement ... already exists" (or "does not exist") as clients meet each other's server
      // connections. It matches no row, so it changes nothing.
      const { deliveries } = stack.served.runtime.repos;
      const token = '00000000-0000-4000-8000-000000000000';
      const runs = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => deliveries.record([{ id: -1 - i, token, status: i % 2 ? 'sent' : 'failed', response: '250 ok', ...(i % 2 ? { messageId: '<x@y>' } : { suppress: null }) } as never])),
      );
      expect(runs.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    });

    it('takes 40 signups at once: the per-inbox counters (rate-limiter-flexible, statements prepared by name) go direct', async () => {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `crowd-${kind}-${i}@example.net` }) }).then((r) => r.status),
        ),
      );
      expect(answers).toEqual(answers.map(() => 202));
      const rows = await stack.served.runtime.database.pool.query(`select count(*)::int as n from subscribers where email like 'crowd-${kind}-%'`);
      expect(rows.rows[0].n).toBe(40);
    });

    it('signs up, confirms, and sends an edition from two workers to every reader exactly once', async () => {
      await sendToEveryoneOnceFromTwoWorkers(stack, `pooled-${kind}`, READERS);
    }, 150_000);
  });
});
