import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

export type OutboxRow = {
  id: number;
  kind: 'confirm' | 'welcome' | 'data-link';
  subscriberId: number;
  jobId: string;
};

/** Owed mail, relayed to the queue after the transaction that owes it commits (see schema.ts, outbox). */
export function createOutboxRepo(db: Db) {
  return {
    /**
     * Relays up to `limit` rows, oldest first, each through `send`; a row leaves the outbox only once
     * `send` resolved. Stops at the first failure (the queue is down) and says how many rows it relayed.
     * Rows are locked while relayed, so several processes may relay at once without sending twice.
     */
    async relay(send: (row: OutboxRow) => Promise<void>, limit = 100): Promise<{ relayed: number; failed: boolean }> {
      return db.transaction(async (tx) => {
        const rows = await tx.execute<OutboxRow>(sql`
          select id, kind, subscriber_id as "subscriberId", job_id as "jobId" from outbox
          order by id limit ${limit} for update skip locked`);
        const done: number[] = [];
        let failed = false;
        for (const row of rows.rows) {
          try {
            await send(row);
            done.push(Number(row.id));
          } catch {
            failed = true;
            await tx.execute(sql`update outbox set attempts = attempts + 1 where id = ${row.id}`);
            break;
          }
        }
        if (done.length) await tx.execute(sql`delete from outbox where id = any(${sql.param(done)}::bigint[])`);
        return { relayed: done.length, failed };
      });
    },

    /** Rows waiting, for /ready and the tests. */
    async pending(): Promise<number> {
      const res = await db.execute<{ n: number }>(sql`select count(*)::int as n from outbox`);
      return res.rows[0]!.n;
    },
  };
}

export type OutboxRepo = ReturnType<typeof createOutboxRepo>;
