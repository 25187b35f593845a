import type { OutboxRow } from '../domain/delivery.js';
import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

/** Owed mail, relayed to the queue after the transaction that owes it commits (see schema.ts, outbox). */
export function createOutboxRepo(db: Db) {
  return {
    /**
     * Relays up to `limit` rows, oldest first, in one call of `send`; they leave the outbox only once `send`
     * resolved. When it fails (the queue is down) they stay, each counted as an attempt. Rows are locked
     * while relayed, so several processes may relay at once without sending twice.
     */
    async relay(send: (rows: OutboxRow[]) => Promise<void>, limit = 100): Promise<{ relayed: number; failed: boolean }> {
      return db.transaction(async (tx) => {
        const rows = await tx.execute<OutboxRow>(sql`
          select id, kind, subscriber_id as "subscriberId", job_id as "jobId" from outbox
          order by id limit ${limit} for update skip locked`);
        if (!rows.rows.length) return { relayed: 0, failed: false };
        const ids = rows.rows.map((r) => Number(r.id));
        try {
          await send(rows.rows);
        } catch {
          await tx.execute(sql`update outbox set attempts = attempts + 1 where id = any(${sql.param(ids)}::bigint[])`);
          return { relayed: 0, failed: true };
        }
        await tx.execute(sql`delete from outbox where id = any(${sql.param(ids)}::bigint[])`);
        return { relayed: ids.length, failed: false };
      });
    },

    /** Rows waiting, for /ready and the tests. */
    async pending(): Promise<number> {
      const res = await db.execute<{ n: number }>(sql`select count(*)::int as n from outbox`);
      return res.rows[0]!.n;
    },
  };
}

