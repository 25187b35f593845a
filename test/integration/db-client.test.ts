// The pool survives Postgres ending a connection that is checked out but idle: a transaction waiting on
// something else (the outbox relay waits on the queue inside one) when Postgres restarts. pg emits an
// 'error' event on such a client, and an 'error' nobody listens to ends the process.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestRepos } from '../helpers/database.js';

describe('database pool', () => {
  const ctx = useTestRepos();

  it('a transaction whose connection Postgres ends while it waits fails alone, and the pool goes on', async () => {
    const { db } = ctx.db;
    let backend = 0;
    let release!: () => void;
    const waiting = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const started = new Promise<void>((r) => (inside = r));
    const tx = db.transaction(async (t) => {
      backend = (await t.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`)).rows[0]!.pid;
      inside();
      // Idle in transaction, waiting on something else, as the outbox relay waits on the queue.
      await waiting;
      await t.execute(sql`select 1`);
    });
    const outcome = tx.then(() => 'committed', (err: Error) => `failed: ${err.message}`);
    await started;
    // What a fast shutdown does to every backend: FATAL 57P01, "terminating connection due to administrator command".
    await db.execute(sql`select pg_terminate_backend(${backend})`);
    await new Promise((r) => setTimeout(r, 300));
    release();
    expect(await outcome).toMatch(/^failed: /);
    // The next queries get live connections.
    for (let i = 0; i < 12; i++) expect((await db.execute<{ n: number }>(sql`select 1 as n`)).rows[0]!.n).toBe(1);
  });
});
