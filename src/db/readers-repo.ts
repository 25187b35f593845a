import { PapersHad, pagesByKeyset, type Assignment, type Audience, type Target } from '../domain/reader.js';
import { sql } from 'drizzle-orm';
import type { Frequency } from '../domain/edition.js';
import type { Db } from './client.js';

const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** The targets query (see ReadersRepo.targets); exported so the due-query benchmark can EXPLAIN it as it runs. */
export function targetsQuery(e: Audience, afterId: number, limit: number, catchUpSeconds: number, upToId: number | null = null) {
  const due = e.dueAt
    ? sql`(s.next_send_at <= ${at(e.dueAt)} and s.next_send_at > ${at(e.dueAt)} - make_interval(secs => ${catchUpSeconds}))`
    : null;
  const everyone = e.audienceAt ? sql`coalesce(s.confirmed_at, s.created_at) <= ${at(e.audienceAt)}` : null;
  const match = due && everyone ? sql`(${due} or ${everyone})` : (due ?? everyone ?? sql`false`);
  const scheduled = due ?? sql`false`;
  const when = sql`case when ${scheduled} then s.next_send_at else ${e.audienceAt ? at(e.audienceAt) : sql`null::timestamptz`} end`;
  // Due readers only (the tick): whoever is returned is assigned and moved out of the range, so each page is
  // simply the next 1,000 in index order, with no keyset and no sort of everyone due. An operator's send
  // pages by id.
  const dueOnly = !pagesByKeyset(e);
  const slot = e.forced ? sql`case when ${scheduled} then papermail_slot(s.frequency::text, s.timezone, s.next_send_at) else ${`edition:${e.id}`} end` : sql`papermail_slot(s.frequency::text, s.timezone, ${when})`;
  return sql`
    select s.id, s.email, s.topics, s.max_papers as "maxPapers", k.scheduled, k.due_at as "dueAt", k.slot,
           to_char(k.due_at at time zone s.timezone, 'YYYY-MM-DD') as "localDate",
           exists (select 1 from deliveries d where d.subscriber_id = s.id and d.slot = k.slot offset 0) as taken
    from subscribers s
    cross join lateral (select ${scheduled} as scheduled, ${when} as due_at, ${slot} as slot) k
    where s.status = 'active' and s.frequency = ${e.frequency} ${dueOnly ? sql`` : sql`and s.id > ${afterId}`}
      ${!dueOnly && upToId !== null ? sql`and s.id <= ${upToId}` : sql``} and ${match}
      and not exists (select 1 from suppressions x where x.email = lower(s.email) or x.email = s.email_hash)
      -- Looked up per reader (deliveries_subscriber_slot_key); "offset 0" keeps Postgres from turning it into
      -- "id not in every row of this slot" when the slot is one for everyone (an operator's send), which
      -- read the whole index for each page: assignment grew with the square of the readers.
      and (k.scheduled or not exists (select 1 from deliveries d where d.subscriber_id = s.id and d.slot = k.slot offset 0))
    order by ${dueOnly ? sql`s.next_send_at` : sql`s.id`} limit ${limit}`;
}

export function createReadersRepo(db: Db) {
  return {
    /**
     * A keyset page of the edition's targets: readers due by their schedule (a range on next_send_at,
     * served by subscribers_due_idx), and for an operator's send everyone confirmed by then who does not
     * have this slot yet. Active and unsuppressed only. An empty first page means the edition is fully assigned
     * (or, with `upToId`, its range of ids: a shard's).
     */
    async targets(e: Audience, afterId: number, limit: number, catchUpSeconds: number, upToId: number | null = null): Promise<Target[]> {
      const res = await db.execute<Target & { dueAt: string | Date }>(targetsQuery(e, afterId, limit, catchUpSeconds, upToId));
      return res.rows.map((r) => ({ ...r, dueAt: new Date(r.dueAt) }));
    },

    /**
     * Where the shards of a send to every active reader of this frequency start: the ids that cut them into
     * ranges of about `every` readers (at least `every`), the first range's start (0) included. A single
     * range ([0]) when there are fewer than twice `every`.
     */
    async shardStarts(frequency: Frequency, every: number): Promise<number[]> {
      const res = await db.execute<{ id: number }>(sql`
        with a as (
          select id, row_number() over (order by id) as n, count(*) over () as total
          from subscribers where status = 'active' and frequency = ${frequency}
        )
        select id from a
        where total >= 2 * ${every}::bigint and n > 1
          and (n - 1) % ceil(total::numeric / floor(total::numeric / ${every}::bigint))::bigint = 0
        order by id`);
      return [0, ...res.rows.map((r) => Number(r.id))];
    },

    /** Whether any reader of this frequency is due (or overdue) by `when`: one probe of the due index. */
    async anyDue(frequency: Frequency, when: Date): Promise<boolean> {
      const res = await db.execute<{ due: boolean }>(sql`
        select exists (select 1 from subscribers where status = 'active' and frequency = ${frequency} and next_send_at <= ${at(when)}) as due`);
      return Boolean(res.rows[0]?.due);
    },

    /**
     * Readers due longer ago than the catch-up window (the service was not sending): their missed day is
     * recorded as a skipped delivery with the reason, and their schedule moves on to the first send time
     * inside the window. Returns how many.
     */
    async skipMissed(editionId: number, frequency: Frequency, when: Date, catchUpSeconds: number): Promise<number> {
      const res = await db.execute<{ n: number }>(sql`
        with m as (
          select s.id, s.next_send_at as due_at, papermail_slot(s.frequency::text, s.timezone, s.next_send_at) as slot
          from subscribers s
          where s.status = 'active' and s.frequency = ${frequency} and s.next_send_at <= ${at(when)} - make_interval(secs => ${catchUpSeconds})
        ), ins as (
          insert into deliveries (edition_id, subscriber_id, paper_ids, status, last_response, slot, due_at)
          select ${editionId}, m.id, '[]'::jsonb, 'skipped',
                 'skipped: due at ' || to_char(m.due_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC, more than '
                   || ${Math.round(catchUpSeconds / 3600)} || ' hours before the service could send it (CATCH_UP_HOURS)',
                 m.slot, m.due_at
          from m
          on conflict (subscriber_id, slot) do nothing
        ), moved as (
          update subscribers s
          set next_send_at = papermail_next_send(s.timezone, s.send_hour, s.frequency = 'weekly', s.send_day, ${at(when)} - make_interval(secs => ${catchUpSeconds}))
          from m where s.id = m.id and s.next_send_at = m.due_at
          returning s.id
        )
        select count(*)::int as n from moved`);
      return res.rows[0]?.n ?? 0;
    },

    /**
     * Readers due by `when` when the edition has nothing to send (no new papers): their day is recorded as a
     * skipped delivery with the edition's note, and their schedule moves on to their next send time.
     */
    async skipDue(editionId: number, frequency: Frequency, when: Date, reason: string): Promise<number> {
      const res = await db.execute<{ n: number }>(sql`
        with m as (
          select s.id, s.next_send_at as due_at, papermail_slot(s.frequency::text, s.timezone, s.next_send_at) as slot
          from subscribers s where s.status = 'active' and s.frequency = ${frequency} and s.next_send_at <= ${at(when)}
        ), ins as (
          insert into deliveries (edition_id, subscriber_id, paper_ids, status, last_response, slot, due_at)
          select ${editionId}, m.id, '[]'::jsonb, 'skipped', ${`skipped: ${reason}`.slice(0, 500)}, m.slot, m.due_at from m
          on conflict (subscriber_id, slot) do nothing
        ), moved as (
          update subscribers s set next_send_at = papermail_next_send(s.timezone, s.send_hour, s.frequency = 'weekly', s.send_day, m.due_at)
          from m where s.id = m.id and s.next_send_at = m.due_at
          returning s.id
        )
        select count(*)::int as n from moved`);
      return res.rows[0]?.n ?? 0;
    },

    /**
     * Which of these papers (a pool: at most 62) each reader has already been sent or has queued: "never
     * twice". Each reader's answer is a bit per paper, by its place in `paperIds`, read by `has`.
     */
    async received(subscriberIds: number[], paperIds: string[], since?: Date): Promise<Map<number, PapersHad>> {
      const out = new Map<number, PapersHad>();
      if (!subscriberIds.length || !paperIds.length) return out;
      if (paperIds.length > 62) throw new Error(`received() takes a pool of at most 62 papers, not ${paperIds.length}`);
      // A delivery holding one of these papers is no older than the paper's first sighting (`since`, the
      // oldest of them): the reader's older history is never read.
      // One row per reader (two 31-bit sets of places in the pool), not one per paper, and no array to parse:
      // a page holds thousands of them.
      // Never a parallel plan: for a page of readers, starting Postgres's parallel workers cost 60 ms where
      // the query itself takes 6 (measured while an edition's rows were new to the statistics). SET LOCAL
      // keeps the setting to this transaction, which a transaction-mode pooler also allows.
      const res = await db.transaction(async (tx) => {
        await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
        return tx.execute<{ subscriber_id: number; lo: number; hi: number }>(sql`
          select d.subscriber_id,
                 bit_or(case when x.k <= 31 then 1 << (x.k - 1) else 0 end) as lo,
                 bit_or(case when x.k > 31 then 1 << (x.k - 32) else 0 end) as hi
          from deliveries d
          cross join lateral jsonb_array_elements_text(d.paper_ids) as p(paper)
          join (select paper, k::int as k from unnest(${sql.param(paperIds)}::text[]) with ordinality as u(paper, k)) x on x.paper = p.paper
          where d.subscriber_id = any(${sql.param(subscriberIds)}::bigint[])
            -- Not failed or skipped, written so that no plan reads every row of a status from
            -- the edition/status index: while an edition's rows are new to the planner's statistics, it
            -- took "status in (queued, sending, sent)" for selective (about 20 ms a page). The readers' own rows
            -- come from deliveries_subscriber_slot_key.
            and d.status not in ('failed', 'skipped')
            ${since ? sql`and d.created_at >= ${since.toISOString()}::timestamptz` : sql``}
          group by d.subscriber_id`);
      });
      const places = new Map(paperIds.map((id, k) => [id, k]));
      for (const r of res.rows) out.set(Number(r.subscriber_id), new PapersHad(places, Number(r.lo), Number(r.hi)));
      return out;
    },

    /**
     * Inserts a page of assignments and moves each scheduled reader's next_send_at on, in one statement (so
     * one transaction): a crash leaves both or neither. A reader who already has the slot gets no second row
     * (deliveries_subscriber_slot_key), and their schedule still moves on. Returns the new queued ids.
     */
    async assign(editionId: number, rows: Assignment[]): Promise<number[]> {
      if (!rows.length) return [];
      const col = <T>(f: (r: Assignment) => T) => sql.param(rows.map(f));
      const res = await db.execute<{ id: number; status: string }>(sql`
        with v as (
          select * from unnest(${col((r) => r.subscriberId)}::bigint[], ${col((r) => r.renderId)}::bigint[], ${col((r) => JSON.stringify(r.paperIds))}::text[],
                               ${col((r) => (r.status === 'taken' ? 'skipped' : r.status))}::text[], ${col((r) => r.reason)}::text[], ${col((r) => r.slot)}::text[],
                               ${col((r) => r.dueAt.toISOString())}::timestamptz[], ${col((r) => r.scheduled)}::boolean[], ${col((r) => r.status !== 'taken')}::boolean[],
                               ${col((r) => (r.view ? JSON.stringify(r.view) : null))}::text[])
            as v(subscriber_id, render_id, paper_ids, status, reason, slot, due_at, scheduled, inserts, view)
        ), ins as (
          insert into deliveries (edition_id, subscriber_id, render_id, paper_ids, status, last_response, slot, due_at, view)
          select ${editionId}, v.subscriber_id, v.render_id, v.paper_ids::jsonb, v.status::delivery_status, v.reason, v.slot, v.due_at, v.view::jsonb
          from v where v.inserts
          on conflict (subscriber_id, slot) do nothing
          returning id, status
        ), moved as (
          update subscribers s
          set next_send_at = papermail_next_send(s.timezone, s.send_hour, s.frequency = 'weekly', s.send_day, v.due_at)
          from v where v.scheduled and s.id = v.subscriber_id and s.next_send_at = v.due_at
          returning s.id
        )
        select id, status from ins`);
      return res.rows.filter((r) => r.status === 'queued').map((r) => Number(r.id)).sort((a, b) => a - b);
    },
  };
}

