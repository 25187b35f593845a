import type { SuppressionRow } from '../domain/bounces.js';
import { sql } from 'drizzle-orm';
import type { Db } from './client.js';
import type { BounceEvent, BounceSource } from '../domain/bounces.js';

const SOFT_WINDOW_DAYS = 30;
/** How far back a complaint without a matching Message-ID looks for the digest it is about. */
const COMPLAINT_WINDOW_DAYS = 30;

export function createSuppressionsRepo(db: Db) {
  type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
  const suppressIn = async (tx: Db | Tx, email: string, reason: string, detail: string | null, source: BounceSource) => {
    await tx.execute(sql`
      insert into suppressions (email, reason, detail, source) values (lower(${email}), ${reason}, ${detail?.slice(0, 1000) ?? null}, ${source})
      on conflict (email) do nothing`);
    await tx.execute(sql`update subscribers set status = 'suppressed', next_send_at = null where lower(email) = lower(${email}) and status <> 'suppressed'`);
  };

  return {
    /** Records that an address must never be mailed again, and marks its subscriber suppressed. */
    async suppress(email: string, reason: string, detail: string | null, source: BounceSource = 'smtp'): Promise<void> {
      await db.transaction((tx) => suppressIn(tx, email, reason, detail, source));
    },

    /**
     * Records a bounce or complaint heard after the SMTP answer. A hard bounce or a complaint suppresses the
     * address at once; a soft bounce is counted, and the `softLimit`-th within 30 days suppresses it.
     * Returns what became of the address.
     */
    async record(e: BounceEvent, softLimit: number): Promise<{ outcome: 'suppressed' | 'counted'; editionId: number | null }> {
      return db.transaction(async (tx) => {
        // One writer per address at a time: two soft bounces arriving together are counted as two.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(lower(${e.email})))`);
        // A complaint belongs to the edition of the message it reports, else to the last digest sent to the address.
        const edition =
          e.kind === 'complaint'
            ? await tx.execute<{ editionId: number }>(sql`
                select d.edition_id as "editionId" from deliveries d join subscribers s on s.id = d.subscriber_id
                where lower(s.email) = lower(${e.email}) and d.status = 'sent' and d.sent_at > now() - make_interval(days => ${COMPLAINT_WINDOW_DAYS})
                order by d.message_id is not distinct from ${e.messageId ?? null} desc, d.sent_at desc limit 1`)
            : null;
        const editionId = edition?.rows[0] ? Number(edition.rows[0].editionId) : null;
        await tx.execute(sql`
          insert into bounce_events (email, kind, source, detail, edition_id)
          values (lower(${e.email}), ${e.kind}, ${e.source}, ${e.detail?.slice(0, 1000) ?? null}, ${editionId})`);
        if (e.kind !== 'soft') {
          await suppressIn(tx, e.email, e.kind === 'complaint' ? 'complaint' : 'bounce', e.detail, e.source === 'webhook' && e.kind === 'complaint' ? 'complaint' : e.source);
          return { outcome: 'suppressed', editionId };
        }
        const soft = await tx.execute<{ n: number }>(sql`
          select count(*)::int as n from bounce_events
          where email = lower(${e.email}) and kind = 'soft' and at > now() - make_interval(days => ${SOFT_WINDOW_DAYS})`);
        if ((soft.rows[0]?.n ?? 0) < softLimit) return { outcome: 'counted', editionId };
        await suppressIn(tx, e.email, 'soft-bounces', `${softLimit} soft bounces within ${SOFT_WINDOW_DAYS} days; last: ${e.detail ?? 'no detail'}`, e.source);
        return { outcome: 'suppressed', editionId };
      });
    },

    /** Suppressions, newest first (keyset on the address for paging). */
    async list(opts: { limit: number; before?: string; search?: string }): Promise<SuppressionRow[]> {
      const res = await db.execute<SuppressionRow>(sql`
        select email, reason, source, detail, created_at as "createdAt" from suppressions
        where true
        ${opts.before ? sql`and (created_at, email) < (select created_at, email from suppressions where email = ${opts.before})` : sql``}
        ${opts.search ? sql`and strpos(email, lower(${opts.search})) > 0` : sql``}
        order by created_at desc, email desc limit ${opts.limit}`);
      return res.rows;
    },

    /**
     * Lifts a suppression that was a mistake: the address may be mailed again, a reader it had stopped is
     * active again (with their schedule), and its bounce count starts over. False when there was none.
     */
    async lift(email: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        const gone = await tx.execute(sql`delete from suppressions where email = lower(${email}) and reason <> 'erased' returning email`);
        if (!gone.rows.length) return false;
        await tx.execute(sql`delete from bounce_events where email = lower(${email})`);
        await tx.execute(sql`
          update subscribers set status = 'active',
            next_send_at = case when frequency <> 'paused' then papermail_next_send(timezone, send_hour, frequency = 'weekly', send_day, now()) end
          where lower(email) = lower(${email}) and status = 'suppressed' and confirmed_at is not null`);
        return true;
      });
    },
  };
}

