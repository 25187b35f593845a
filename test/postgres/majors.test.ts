// Every supported PostgreSQL major, as an operator runs it: a real server of that major (the embedded
// binaries of 14 to 18, and Debian's own 15), an empty database, and the service started on it through its
// real entry point with every service external. It migrates the empty database, then carries a reader from
// signup to one-click unsubscribe, with the queues on that same Postgres (BullMQ's Postgres backend).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_POSTGRES } from '../../src/runtime/doctor.js';
import { migrationState } from '../../src/db/migrate.js';
import { debianPostgres, EMBEDDED, startPostgres, type PostgresBinaries, type PostgresServer } from '../helpers/postgres-servers.js';
import { header } from '../helpers/smtp-sink.js';
import { startStack, subscribeAndConfirm, waitForEdition, type Stack } from '../helpers/stack.js';

const servers = [...EMBEDDED, debianPostgres()].filter((s): s is PostgresBinaries => s !== null);

it('covers every supported major', () => {
  expect([...new Set(servers.map((s) => s.major))].sort()).toEqual([...SUPPORTED_POSTGRES]);
});

describe.each(servers)('$name', (binaries) => {
  let server: PostgresServer;
  let stack: Stack;
  beforeAll(async () => {
    server = await startPostgres(binaries);
    stack = await startStack('postgres', { DATABASE_URL: await server.createDatabase('papermail') });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await server?.stop();
  });

  it('migrates an empty database, then signs a reader up, sends them a digest and lets them leave with one click', async () => {
    const pool = stack.served.runtime.database.pool;
    const version = Number((await pool.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]!.v);
    expect(Math.floor(version / 10_000)).toBe(binaries.major);
    expect(await migrationState(pool)).toMatchObject({ pending: 0 });

    await subscribeAndConfirm(stack, 'reader@example.org');
    await subscribeAndConfirm(stack, 'stays@example.org');
    const { id } = (await (await stack.admin('/editions', { frequency: 'daily' })).json()) as { id: number };
    expect(await waitForEdition(stack, id)).toMatchObject({ status: 'sent', recipients: 2, sent: 2, failed: 0 });
    const digest = stack.sink.to('reader@example.org').find((m) => /^Trending papers/.test(m.parsed.subject ?? ''))!;
    const url = /<(https:[^>]+)>/.exec(header(digest, 'List-Unsubscribe')!)![1]!;
    const left = await stack.http(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(left.status).toBe(200);
    expect((await pool.query(`select status::text from subscribers where email = 'reader@example.org'`)).rows[0]).toEqual({ status: 'unsubscribed' });

    const next = (await (await stack.admin('/editions', { frequency: 'daily', force: true })).json()) as { id: number };
    expect(await waitForEdition(stack, next.id)).toMatchObject({ status: 'sent', recipients: 1, sent: 1 });
    expect(stack.sink.to('reader@example.org').filter((m) => /^Trending papers/.test(m.parsed.subject ?? ''))).toHaveLength(1);
  });
});
