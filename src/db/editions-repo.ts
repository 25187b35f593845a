import type { Edition } from '../domain/edition.js';
import type { EditionStats, Ledger, RenderRow, Shard } from '../domain/edition.js';
import { eq, sql } from 'drizzle-orm';
import type { Frequency } from '../domain/edition.js';
import { signaturePattern } from '../domain/breaker.js';
import type { Db } from './client.js';
import { editions } from './schema.js';


export function createEditionsRepo(db: Db) {
  return {
    /** Returns the edition of this period, creating it first; `forced` always creates an extra one. */
    async ensure(frequency: Frequency, period: string, forced: boolean): Promise<{ edition: Edition; created: boolean }> {
      if (forced) {
        const [edition] = await db.insert(editions).values({ frequency, period, forced: true }).returning();
        return { edition: edition!, created: true };
      }
      const inserted = await db
        .insert(editions)
        .values({ frequency, period })
        .onConflictDoNothing({ target: [editions.frequency, editions.period], where: sql`not ${editions.forced}` })
        .returning();
      if (inserted[0]) return { edition: inserted[0], created: true };
      const [existing] = await db
        .select()
        .from(editions)
        .where(sql`${editions.frequency} = ${frequency} and ${editions.period} = ${period} and not ${editions.forced}`);
      return { edition: existing!, created: false };
    },

    async byId(id: number): Promise<Edition | null> {
      const [row] = await db.select().from(editions).where(eq(editions.id, id));
      return row ?? null;
    },

    /** Fixes the edition's candidate pool (its ranked papers) and starts assigning; only the first builder wins. */
    async publishPool(id: number, paperIds: string[], at: Date): Promise<boolean> {
      const res = await db.execute(sql`
        update editions set status = 'assigning', paper_ids = ${JSON.stringify(paperIds)}::jsonb, built_at = ${at.toISOString()}, assign_beat_at = now()
        where id = ${id} and status = 'pending'`);
      return (res.rowCount ?? 0) > 0;
    },

    /**
     * Widens who the edition targets: everyone confirmed by `at` (an operator's send), or the readers whose
     * send hour is the hour of `at` (the hourly tick). A built edition goes back to assigning until they all
     * have a row; a paused one stays paused.
     */
    async target(id: number, audience: { everyoneAt: Date } | { dueAt: Date }): Promise<void> {
      const set = 'everyoneAt' in audience ? sql`audience_at = ${audience.everyoneAt.toISOString()}` : sql`due_at = ${audience.dueAt.toISOString()}`;
      await db.execute(sql`
        update editions set ${set}, assign_beat_at = now(),
          status = case when status in ('sending', 'sent') then 'assigning' else status end,
          finished_at = case when status in ('sending', 'sent') then null else finished_at end
        where id = ${id}`);
    },

    /** The assigning job is alive (and its shard, if it builds one): recovery leaves an edition with a fresh beat alone. */
    async beat(id: number, shard?: number): Promise<void> {
      await db.execute(
        shard === undefined
          ? sql`update editions set assign_beat_at = now() where id = ${id}`
          : sql`with s as (update edition_shards set beat_at = now() where edition_id = ${id} and first_id = ${shard})
                update editions set assign_beat_at = now() where id = ${id}`,
      );
    },

    /** The edition's shards, by first id. */
    async shards(id: number): Promise<Shard[]> {
      const res = await db.execute<{ first: number; last: number | null; done: boolean }>(sql`
        select first_id as first, last_id as last, done_at is not null as done from edition_shards where edition_id = ${id} order by first_id`);
      return res.rows.map((r) => ({ firstId: Number(r.first), lastId: r.last === null ? null : Number(r.last), done: r.done }));
    },

    /**
     * Stores the edition's shards, starting at these ids (ascending, the first 0), unless it has some already.
     * Two planners at once may both store theirs: each plan covers every id, so the shards overlap and a
     * reader in two of them still gets one row (deliveries_subscriber_slot_key).
     */
    async planShards(id: number, starts: number[]): Promise<Shard[]> {
      await db.execute(sql`
        insert into edition_shards (edition_id, first_id, last_id)
        select ${id}, f, lead(f) over (order by f) - 1 from unnest(${sql.param(starts)}::bigint[]) as f
        where not exists (select 1 from edition_shards where edition_id = ${id})
        on conflict do nothing`);
      return this.shards(id);
    },

    /**
     * The shards that need a job: not done, and not beaten for `staleSeconds` (never queued, or their job
     * died). They are marked as beaten now, so that the next caller leaves them to the jobs about to be queued.
     */
    async claimShards(id: number, staleSeconds: number): Promise<number[]> {
      const res = await db.execute<{ first: number }>(sql`
        update edition_shards set beat_at = now()
        where edition_id = ${id} and done_at is null and (beat_at is null or beat_at < now() - make_interval(secs => ${staleSeconds}))
        returning first_id as first`);
      return res.rows.map((r) => Number(r.first)).sort((a, b) => a - b);
    },

    /** Gives claimed shards back (their jobs could not be queued), for the next build of the edition to queue. */
    async releaseShards(id: number, shards: number[]): Promise<void> {
      await db.execute(sql`
        update edition_shards set beat_at = null where edition_id = ${id} and first_id = any(${sql.param(shards)}::bigint[]) and done_at is null`);
    },

    /**
     * Marks a shard done (its range has no target left); returns how many of the edition's shards are not.
     * Under the edition's row lock, so that of two shards finishing at once the second sees the first done:
     * whichever finishes last learns that it did.
     */
    async shardDone(id: number, shard: number): Promise<number> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`select 1 from editions where id = ${id} for update`);
        await tx.execute(sql`update edition_shards set done_at = coalesce(done_at, now()) where edition_id = ${id} and first_id = ${shard}`);
        const res = await tx.execute<{ open: number }>(sql`select count(*)::int as open from edition_shards where edition_id = ${id} and done_at is null`);
        return res.rows[0]?.open ?? 0;
      });
    },

    /** Every target has a row now: the edition moves on to sending (a paused one stays paused). */
    async markAssigned(id: number): Promise<void> {
      await db.execute(sql`update editions set status = 'sending' where id = ${id} and status = 'assigning'`);
    },

    /**
     * Pauses an edition: no worker claims its rows until it is resumed. `breaker`: the fault is ours (our
     * login, our relay, one refusal for most readers); the breaker probes after `probeInSeconds`, and a probe
     * that passes resumes it. `operator` and `complaints` wait for a person. For a storm (one SMTP answer for
     * most readers, so the cause is ours), the rows that failed that way go back to the queue uncounted and
     * the suppressions they caused are lifted: those readers did nothing wrong.
     */
    async pause(
      id: number,
      reason: string,
      opts: { kind: 'breaker' | 'operator' | 'complaints'; stormSignature?: string | null; probeInSeconds?: number },
    ): Promise<boolean> {
      const stormSignature = opts.stormSignature ?? null;
      return db.transaction(async (tx) => {
        const res = await tx.execute(sql`
          update editions set status = 'paused', paused_at = now(), paused_reason = ${reason.slice(0, 1000)}, pause_kind = ${opts.kind},
            paused_signature = ${stormSignature}, probes = 0,
            next_probe_at = ${opts.kind === 'breaker' ? sql`now() + make_interval(secs => ${opts.probeInSeconds ?? 60})` : sql`null`}
          where id = ${id} and status in ('assigning', 'sending')`);
        if (stormSignature) {
          const undone = await tx.execute<{ id: number }>(sql`
            update deliveries set status = 'queued', attempts = greatest(attempts - 1, 0), next_attempt_at = null,
              last_response = 'requeued: the edition paused on a storm of this answer: ' || last_response
            where edition_id = ${id} and status in ('failed', 'queued') and last_response ~ ${signaturePattern(stormSignature)}
            returning id`);
          const ids = sql.param(undone.rows.map((r) => Number(r.id)));
          const lifted = await tx.execute<{ email: string }>(sql`
            delete from suppressions where delivery_id = any(${ids}::bigint[]) returning email`);
          await tx.execute(sql`
            update subscribers set status = 'active' where status = 'suppressed'
              and lower(email) = any(${sql.param(lifted.rows.map((r) => r.email))}::text[])`);
        }
        return (res.rowCount ?? 0) > 0;
      });
    },

    /** Resumes a paused edition (an operator's, or a probe that passed); it assigns whoever is missing, then sends every row not yet sent. */
    async resume(id: number): Promise<'resumed' | 'not paused' | 'unknown'> {
      const res = await db.execute<{ status: string; resumed: boolean }>(sql`
        with r as (
          update editions set status = 'assigning', paused_at = null, paused_reason = null, pause_kind = null, paused_signature = null,
            next_probe_at = null, probes = 0, resumed_at = now(), assign_beat_at = now()
          where id = ${id} and status = 'paused' returning id)
        select (select count(*) from r) > 0 as resumed, (select status from editions where id = ${id}) as status`);
      const row = res.rows[0];
      if (!row?.status) return 'unknown';
      return row.resumed ? 'resumed' : 'not paused';
    },

    /**
     * Takes the probe of each edition the breaker paused whose probe is due: its next probe moves
     * `holdSeconds` on, so that no other worker probes it meanwhile. Returns them with the answer they paused on.
     */
    async takeDueProbes(holdSeconds: number): Promise<{ id: number; signature: string | null; probes: number }[]> {
      const res = await db.execute<{ id: number; signature: string | null; probes: number }>(sql`
        update editions set next_probe_at = now() + make_interval(secs => ${holdSeconds})
        where status = 'paused' and pause_kind = 'breaker' and next_probe_at <= now()
        returning id, paused_signature as signature, probes`);
      return res.rows.map((r) => ({ id: Number(r.id), signature: r.signature, probes: Number(r.probes) }));
    },

    /** A probe failed: the next one waits twice as long as the last (from `baseSeconds`, at most `maxSeconds`). */
    async probeFailed(id: number, baseSeconds: number, maxSeconds: number): Promise<Date | null> {
      const res = await db.execute<{ at: string }>(sql`
        update editions set probes = probes + 1,
          next_probe_at = now() + make_interval(secs => least(${maxSeconds}, ${baseSeconds} * power(2, probes + 1)))
        where id = ${id} and status = 'paused' and pause_kind = 'breaker' returning next_probe_at as at`);
      return res.rows[0] ? new Date(res.rows[0].at) : null;
    },

    /** Editions paused now, newest first: the console's banner and /metrics. */
    async paused(): Promise<{ id: number; frequency: Frequency; period: string; reason: string | null; kind: string | null; nextProbeAt: Date | null }[]> {
      const res = await db.execute<{ id: number; frequency: Frequency; period: string; reason: string | null; kind: string | null; next_probe_at: string | null }>(sql`
        select id, frequency, period, paused_reason as reason, pause_kind as kind, next_probe_at from editions where status = 'paused' order by id desc limit 50`);
      return res.rows.map((r) => ({ id: Number(r.id), frequency: r.frequency, period: r.period, reason: r.reason, kind: r.kind, nextProbeAt: r.next_probe_at ? new Date(r.next_probe_at) : null }));
    },

    /** The renders an edition already has, by list key. */
    async renderKeys(editionId: number): Promise<Map<string, number>> {
      const res = await db.execute<{ id: number; list_key: string }>(sql`select id, list_key from edition_renders where edition_id = ${editionId}`);
      return new Map(res.rows.map((r) => [r.list_key, Number(r.id)]));
    },

    /** Stores one render of a paper list; when another worker stored the same list first, returns theirs. */
    async addRender(editionId: number, r: Omit<RenderRow, 'id'>): Promise<number> {
      const ins = await db.execute<{ id: number }>(sql`
        insert into edition_renders (edition_id, list_key, paper_ids, subject, mime_template)
        values (${editionId}, ${r.listKey}, ${JSON.stringify(r.paperIds)}::jsonb, ${r.subject}, ${r.mimeTemplate})
        on conflict (edition_id, list_key) do nothing returning id`);
      if (ins.rows[0]) {
        await db.execute(sql`update editions set subject = coalesce(subject, ${r.subject}) where id = ${editionId}`);
        return Number(ins.rows[0].id);
      }
      const found = await db.execute<{ id: number }>(sql`select id from edition_renders where edition_id = ${editionId} and list_key = ${r.listKey}`);
      return Number(found.rows[0]!.id);
    },

    /** The composed message of one render. */
    async template(renderId: number): Promise<string | null> {
      const res = await db.execute<{ t: string }>(sql`select mime_template as t from edition_renders where id = ${renderId}`);
      return res.rows[0]?.t ?? null;
    },

    /** Marks an edition that found nothing to send. */
    async markEmpty(id: number, note: string, at: Date): Promise<void> {
      await db.execute(sql`update editions set status = 'empty', note = ${note}, built_at = ${at.toISOString()}, finished_at = now() where id = ${id} and status = 'pending'`);
    },

    /** Whether any of the edition's rows is still queued or being sent. */
    async hasOpenRows(id: number): Promise<boolean> {
      const res = await db.execute<{ open: boolean }>(sql`
        select exists (select 1 from deliveries where edition_id = ${id} and status in ('queued', 'sending')) as open`);
      return Boolean(res.rows[0]?.open);
    },

    /** Marks the edition sent once every target has a row (it is sending) and no row is queued or in flight. */
    async finishIfDone(id: number): Promise<boolean> {
      const res = await db.execute(sql`
        update editions set status = 'sent', finished_at = now()
        where id = ${id} and status = 'sending'
          and not exists (select 1 from deliveries d where d.edition_id = ${id} and d.status in ('queued', 'sending'))`);
      return (res.rowCount ?? 0) > 0;
    },

    /** The newest edition that went out, for the welcome mail and the archive. */
    async latestSent(frequency?: Frequency): Promise<number | null> {
      const res = await db.execute<{ id: number }>(sql`
        select id from editions where status in ('assigning', 'sending', 'sent', 'paused') ${frequency ? sql`and frequency = ${frequency}` : sql``}
        order by id desc limit 1`);
      return res.rows[0] ? Number(res.rows[0].id) : null;
    },

    /** Editions that went out, newest first, for the archive. */
    async archive(limit: number): Promise<{ id: number; frequency: Frequency; period: string; top: string | null; papers: number; createdAt: Date }[]> {
      const res = await db.execute<{ id: number; frequency: Frequency; period: string; top: string | null; papers: number; createdAt: Date }>(sql`
        select e.id, e.frequency, e.period, (select p.title from papers p where p.id = e.paper_ids->>0) as top,
               jsonb_array_length(e.paper_ids)::int as papers, e.created_at as "createdAt"
        from editions e where e.status in ('assigning', 'sending', 'sent', 'paused') and jsonb_array_length(e.paper_ids) > 0 order by e.id desc limit ${limit}`);
      return res.rows;
    },

    /**
     * Editions whose work may have been interrupted: targeted but unbuilt, assigning, or sending.
     * `stale` says the assigning job has not beaten for `staleSeconds` (it died, or never started).
     */
    async unfinished(staleSeconds: number): Promise<{ id: number; status: Edition['status']; stale: boolean }[]> {
      const res = await db.execute<{ id: number; status: Edition['status']; stale: boolean }>(sql`
        select id, status, coalesce(assign_beat_at < now() - make_interval(secs => ${staleSeconds}), true) as stale
        from editions
        where status in ('assigning', 'sending') or (status = 'pending' and (audience_at is not null or due_at is not null))
        order by id`);
      return res.rows;
    },

    /** Editions newest first, with their counts (keyset on id), for the console and the admin API. */
    async list(opts: { limit: number; before?: number }): Promise<EditionStats[]> {
      const res = await db.execute<{ id: number }>(sql`
        select id from editions ${opts.before ? sql`where id < ${opts.before}` : sql``} order by id desc limit ${opts.limit}`);
      const stats = await Promise.all(res.rows.map((r) => this.stats(Number(r.id))));
      return stats.filter((s): s is EditionStats => s !== null);
    },

    /**
     * What became of the edition's audience, row by row: sent, failed, skipped (nothing for them), suppressed
     * and unsubscribed (or paused) since it was assigned, erased since, and still open. Its target is the sum:
     * every reader it gave a row. Readers it should have given one and did not are the caller's to count.
     */
    async ledger(id: number): Promise<Ledger | null> {
      const res = await db.execute<Omit<Ledger, 'target'>>(sql`
        select e.erased,
               count(d.id) filter (where d.status = 'sent')::int as sent,
               count(d.id) filter (where d.status = 'failed')::int as failed,
               count(d.id) filter (where d.status = 'skipped' and d.last_response like 'skipped: suppressed since%')::int as suppressed,
               count(d.id) filter (where d.status = 'skipped' and (d.last_response like 'skipped: unsubscribed since%' or d.last_response like 'skipped: paused since%'))::int as unsubscribed,
               count(d.id) filter (where d.status = 'skipped' and d.last_response not like 'skipped: suppressed since%'
                                   and d.last_response not like 'skipped: unsubscribed since%' and d.last_response not like 'skipped: paused since%')::int as skipped,
               count(d.id) filter (where d.status in ('queued', 'sending'))::int as open
        from editions e left join deliveries d on d.edition_id = e.id where e.id = ${id} group by e.id`);
      const r = res.rows[0];
      if (!r) return null;
      return { target: r.sent + r.failed + r.skipped + r.suppressed + r.unsubscribed + r.erased + r.open, ...r };
    },

    /** Counts per status, for the admin API. */
    async stats(id: number): Promise<EditionStats | null> {
      const res = await db.execute<EditionStats>(sql`
        select e.id, e.frequency, e.period, e.forced, e.status, e.paper_ids as papers, e.note,
               e.paused_reason as "pausedReason", e.paused_at as "pausedAt",
               (select count(*)::int from edition_renders r where r.edition_id = e.id) as renders,
               e.created_at as "createdAt", e.finished_at as "finishedAt",
               count(d.id) filter (where d.status <> 'skipped')::int as recipients,
               count(d.id) filter (where d.status = 'skipped')::int as skipped,
               count(d.id) filter (where d.status = 'queued')::int as queued,
               count(d.id) filter (where d.status = 'sending')::int as sending,
               count(d.id) filter (where d.status = 'sent')::int as sent,
               count(d.id) filter (where d.status = 'failed')::int as failed
        from editions e left join deliveries d on d.edition_id = e.id
        where e.id = ${id} group by e.id`);
      return res.rows[0] ?? null;
    },
  };
}

export type EditionsRepo = ReturnType<typeof createEditionsRepo>;
