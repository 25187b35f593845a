import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

/** A delivery this worker now owns, with what is needed to send it. */
export type ClaimedDelivery = {
  id: number;
  subscriberId: number;
  email: string;
  /** Attempts including this one. */
  attempts: number;
  /** The render (paper list) this reader gets; null for deliveries made before renders existed. */
  renderId: number | null;
  /** False when the reader left or was suppressed after the delivery was queued. */
  sendable: boolean;
};

/** What happened to one claimed delivery. */
export type DeliveryResult =
  | { id: number; status: 'sent'; response: string; messageId: string }
  | { id: number; status: 'failed'; response: string; messageId: string | null }
  | { id: number; status: 'retry'; response: string; messageId: string | null; retryAt: Date };

export function createDeliveriesRepo(db: Db) {
  return {
    /**
     * Atomically takes the due deliveries of a range (queued → sending), and those whose earlier
     * claim outlived the lease (a crashed worker). Rows another worker holds are left alone.
     */
    async claim(editionId: number, from: number, to: number, leaseSeconds: number, limit: number): Promise<ClaimedDelivery[]> {
      const res = await db.execute<ClaimedDelivery>(sql`
        update deliveries d set status = 'sending', attempts = d.attempts + 1, claimed_at = now()
        from subscribers s
        where d.id in (
            select id from deliveries
            where edition_id = ${editionId} and id between ${from} and ${to}
              and ((status = 'queued' and (next_attempt_at is null or next_attempt_at <= now()))
                or (status = 'sending' and claimed_at < now() - make_interval(secs => ${leaseSeconds})))
            order by id limit ${limit}
            for update skip locked)
          and s.id = d.subscriber_id
        returning d.id, d.subscriber_id as "subscriberId", s.email, d.attempts, d.render_id as "renderId",
          (s.status = 'active' and s.frequency <> 'paused'
           and not exists (select 1 from suppressions x where x.email = lower(s.email) or x.email = s.email_hash)) as sendable`);
      return res.rows;
    },

    /** Records a batch of results in one statement; only rows still claimed are touched. */
    async record(results: DeliveryResult[]): Promise<void> {
      if (!results.length) return;
      // sql.param keeps each array one parameter (drizzle would otherwise spread it into a list).
      const col = <T>(f: (r: DeliveryResult) => T) => sql.param(results.map(f));
      await db.execute(sql`
        update deliveries d set
          status = (case when v.status = 'retry' then 'queued' else v.status end)::delivery_status,
          last_response = v.response,
          message_id = coalesce(v.message_id, d.message_id),
          sent_at = case when v.status = 'sent' then now() else d.sent_at end,
          next_attempt_at = v.retry_at,
          claimed_at = null
        from unnest(${col((r) => r.id)}::bigint[], ${col((r) => r.status)}::text[], ${col((r) => r.response)}::text[],
                    ${col((r) => r.messageId)}::text[], ${col((r) => (r.status === 'retry' ? r.retryAt.toISOString() : null))}::timestamptz[])
          as v(id, status, response, message_id, retry_at)
        where d.id = v.id and d.status = 'sending'`);
    },

    /** The range still to send (due now or stuck past the lease), and when the next retry falls due. */
    async outstanding(editionId: number, leaseSeconds: number): Promise<{ from: number; to: number; dueAt: Date } | null> {
      const res = await db.execute<{ first: number | null; last: number | null; due: Date | null }>(sql`
        select min(id) as first, max(id) as last,
               min(case when status = 'queued' then coalesce(next_attempt_at, now())
                        else claimed_at + make_interval(secs => ${leaseSeconds}) end) as due
        from deliveries where edition_id = ${editionId} and status in ('queued', 'sending')`);
      const r = res.rows[0]!;
      return r.first === null ? null : { from: Number(r.first), to: Number(r.last), dueAt: new Date(r.due!) };
    },
  };
}

export type DeliveriesRepo = ReturnType<typeof createDeliveriesRepo>;
