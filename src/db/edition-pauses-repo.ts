import { sql } from 'drizzle-orm';
import { signaturePattern } from '../domain/breaker.js';
import type { Frequency } from '../domain/edition.js';
import type { Db } from './client.js';

/** Pausing and resuming editions: the breaker's probes, an operator's pause, the console's banner. */
export function createEditionPausesRepo(db: Db) {
  return {
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

    /** The ids of the editions paused now (the send pipeline stops their claimed rows). */
    async pausedIds(): Promise<number[]> {
      const res = await db.execute<{ id: number }>(sql`select id::int as id from editions where status = 'paused'`);
      return res.rows.map((r) => Number(r.id));
    },

    /** Editions paused now, newest first: the console's banner and /metrics. */
    async paused(): Promise<{ id: number; frequency: Frequency; period: string; reason: string | null; kind: string | null; nextProbeAt: Date | null }[]> {
      const res = await db.execute<{ id: number; frequency: Frequency; period: string; reason: string | null; kind: string | null; next_probe_at: string | null }>(sql`
        select id, frequency, period, paused_reason as reason, pause_kind as kind, next_probe_at from editions where status = 'paused' order by id desc limit 50`);
      return res.rows.map((r) => ({ id: Number(r.id), frequency: r.frequency, period: r.period, reason: r.reason, kind: r.kind, nextProbeAt: r.next_probe_at ? new Date(r.next_probe_at) : null }));
    },
  };
}

