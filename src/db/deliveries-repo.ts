import type { ClaimedDelivery, DeliveryResult } from '../domain/delivery.js';
import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

/**
 * Records results, fenced: only rows still held under the result's claim token change. Retry and requeue
 * delays are added to Postgres's clock, the same clock that takes and expires claims. While the edition is
 * paused, a failure is not held against the reader: the row goes back to the queue uncounted, and no
 * suppression is written. A dead mailbox is suppressed in the same statement.
 */
const recordSql = (lockEdition: boolean) => `
  with v as (
    select * from unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[])
      as v(id, token, status, response, message_id, delay_ms, suppress)),
  w as (
    select v.*, case when e.status = 'paused' and v.status in ('failed', 'retry') then 'requeue' else v.status end as effective
    from v join deliveries d on d.id = v.id join editions e on e.id = d.edition_id
    ${lockEdition ? 'for share of e' : ''}),
  upd as (
    update deliveries d set
      status = (case when w.effective in ('retry', 'requeue') then 'queued' else w.effective end)::delivery_status,
      attempts = case when w.effective = 'requeue' then greatest(d.attempts - 1, 0) else d.attempts end,
      last_response = w.response,
      message_id = coalesce(w.message_id, d.message_id),
      sent_at = case when w.effective = 'sent' then now() else d.sent_at end,
      next_attempt_at = case when w.effective in ('retry', 'requeue') then now() + make_interval(secs => coalesce(w.delay_ms, 0) / 1000.0) end,
      claimed_at = null,
      claim_token = null
    from w
    -- Each row by its id. "status::text" cannot be read from an index: a plan that starts from the rows in
    -- 'sending' (few, by statistics taken before the send) read hundreds of them for every result.
    where d.id = w.id and d.claim_token = w.token and d.status::text = 'sending'
    returning d.id, w.effective, w.suppress, w.response),
  sup as (
    insert into suppressions (email, reason, detail, delivery_id)
    select lower(suppress), 'bounce', response, id from upd where effective = 'failed' and suppress is not null
    on conflict (email) do nothing
    returning email)
  update subscribers s set status = 'suppressed' from sup where lower(s.email) = sup.email and s.status = 'active'`;

// Built once: the statement text is the same for every batch, and so is its prepared name.
const RECORD = {
  plain: { name: 'record-deliveries', text: recordSql(false) },
  locking: { name: 'record-deliveries-locking', text: recordSql(true) },
};

export function createDeliveriesRepo(db: Db, opts: { namedStatements: boolean } = { namedStatements: true }) {
  const record = opts.namedStatements ? RECORD : { plain: { text: RECORD.plain.text }, locking: { text: RECORD.locking.text } };
  return {
    /**
     * Atomically takes up to `limit` due deliveries of a range under a new claim token: queued ones,
     * and those whose claim outlived the lease (a dead worker). Nothing is claimed from an edition that
     * is not assigning or sending (paused, for one), but for a breaker's `probe` of a paused one. Rows
     * another worker holds are left alone.
     */
    async claim(editionId: number, [from, to]: [number, number], limit: number, leaseSeconds: number, token: string, probe = false): Promise<ClaimedDelivery[]> {
      const open = probe ? sql`status = 'paused' and pause_kind = 'breaker'` : sql`status in ('assigning', 'sending')`;
      const res = await db.execute<ClaimedDelivery>(sql`
        update deliveries d set status = 'sending', attempts = d.attempts + 1, claimed_at = now(), claim_token = ${token}
        from subscribers s, editions e
        where d.id in (
            select id from deliveries
            where edition_id = ${editionId} and id between ${from} and ${to}
              and ((status = 'queued' and (next_attempt_at is null or next_attempt_at <= now()))
                or (status = 'sending' and claimed_at < now() - make_interval(secs => ${leaseSeconds})))
              and exists (select 1 from editions where id = ${editionId} and ${open})
            order by id limit ${limit}
            for update skip locked)
          and s.id = d.subscriber_id and e.id = d.edition_id
        returning d.id, d.subscriber_id as "subscriberId", s.email, d.attempts, d.render_id as "renderId", d.paper_ids as "paperIds", d.view,
          coalesce((extract(epoch from e.resumed_at) * 1000)::bigint, 0) as "resumedAt",
          case when s.status = 'suppressed' or exists (select 1 from suppressions x where x.email = lower(s.email) or x.email = s.email_hash) then 'suppressed'
               when s.status <> 'active' then 'unsubscribed'
               when s.frequency = 'paused' then 'paused' end as unsendable`);
      return res.rows;
    },

    /**
     * Gives back every row still held under a claim token, unsent and uncounted: a claim whose answer was
     * lost (Postgres went away as it committed), so that no reader waits for the lease. Returns how many.
     */
    async release(token: string): Promise<number> {
      const res = await db.execute(sql`
        update deliveries set status = 'queued', attempts = greatest(attempts - 1, 0), claimed_at = null, claim_token = null, next_attempt_at = null
        where claim_token = ${token} and status = 'sending'`);
      return res.rowCount ?? 0;
    },

    /** Keeps a claim alive while its chunk is still being sent (the heartbeat). */
    async extendLease(token: string): Promise<number> {
      const res = await db.execute(sql`update deliveries set claimed_at = now() where claim_token = ${token} and status = 'sending'`);
      return res.rowCount ?? 0;
    },

    /** Records results in one statement (see recordSql). */
    async record(results: DeliveryResult[]): Promise<void> {
      if (!results.length) return;
      // A batch with failures is ordered against a pause of its edition (FOR SHARE against the pause's row
      // lock): either the pause's undo sees these failures, or these failures see the pause.
      const failures = results.some((r) => r.status === 'failed' || r.status === 'retry');
      // A named statement, parsed once per connection (unnamed behind a transaction-mode pooler). Postgres
      // still plans it at each call (0.16 of its 0.39 ms): a plan for the arrays given counts their elements.
      // Its generic plan, forced inside a PL/pgSQL function, ran 0.40 ms a call without planning: not kept.
      await db.$client.query({
        ...(failures ? record.locking : record.plain),
        values: [
          results.map((r) => r.id),
          results.map((r) => r.token),
          results.map((r) => r.status),
          results.map((r) => r.response),
          results.map((r) => (r.status === 'sent' ? r.messageId : null)),
          results.map((r) => (r.status === 'retry' || r.status === 'requeue' ? r.delayMs : null)),
          results.map((r) => (r.status === 'failed' ? r.suppress : null)),
        ],
      });
    },

    /** An edition's final failures grouped by the server's answer (its first line), most frequent first. */
    async failuresByAnswer(editionId: number, limit = 50): Promise<{ answer: string; count: number; example: string }[]> {
      const res = await db.execute<{ answer: string; count: number; example: string }>(sql`
        select coalesce(nullif(split_part(last_response, E'\n', 1), ''), '(no answer recorded)') as answer,
               count(*)::int as count, min(s.email) as example
        from deliveries d join subscribers s on s.id = d.subscriber_id
        where d.edition_id = ${editionId} and d.status = 'failed'
        group by 1 order by count desc, answer limit ${limit}`);
      return res.rows;
    },

    /**
     * Queues an edition's failed rows again, for readers who may be mailed now (active, not suppressed: a
     * lifted suppression, a fixed relay). A sent edition goes back to sending until they have a final row.
     */
    async resendFailed(editionId: number): Promise<number> {
      return db.transaction(async (tx) => {
        const res = await tx.execute(sql`
          update deliveries d set status = 'queued', attempts = 0, next_attempt_at = null, claim_token = null,
            last_response = 'requeued by an operator after: ' || coalesce(d.last_response, '')
          from subscribers s
          where d.edition_id = ${editionId} and d.status = 'failed' and s.id = d.subscriber_id and s.status = 'active'
            and not exists (select 1 from suppressions x where x.email = lower(s.email) or x.email = s.email_hash)
            and exists (select 1 from editions e where e.id = ${editionId} and e.status in ('sending', 'sent'))`);
        const n = res.rowCount ?? 0;
        if (n) await tx.execute(sql`update editions set status = 'sending', finished_at = null where id = ${editionId} and status = 'sent'`);
        return n;
      });
    },

    /** The range still to send (due now or stuck past the lease), and when the next row falls due. */
    async outstanding(editionId: number, leaseSeconds: number): Promise<{ from: number; to: number; dueInMs: number } | null> {
      const res = await db.execute<{ first: number | null; last: number | null; due_ms: number | null }>(sql`
        select min(id) as first, max(id) as last,
               greatest(0, extract(epoch from min(case when status = 'queued' then coalesce(next_attempt_at, now())
                        else claimed_at + make_interval(secs => ${leaseSeconds}) end) - now()) * 1000)::float8 as due_ms
        from deliveries where edition_id = ${editionId} and status in ('queued', 'sending')`);
      const r = res.rows[0]!;
      return r.first === null ? null : { from: Number(r.first), to: Number(r.last), dueInMs: Math.ceil(Number(r.due_ms)) };
    },
  };
}

