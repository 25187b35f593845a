import { and, eq, sql } from 'drizzle-orm';
import type { Frequency } from '../config.js';
import type { Db } from './client.js';
import { subscribers, suppressions } from './schema.js';

export type Subscriber = typeof subscribers.$inferSelect;

/** What a signup did; the HTTP answer is the same for all of them. */
export type SignupOutcome = { action: 'confirm'; subscriber: Subscriber } | { action: 'none'; reason: string };

// One confirmation mail per pending address per window: a signup form must not become a way to flood an inbox.
const CONFIRM_RESEND_SECONDS = 600;

export function createSubscribersRepo(db: Db) {
  return {
    /** Finds a subscriber by id. */
    async byId(id: number): Promise<Subscriber | null> {
      const [row] = await db.select().from(subscribers).where(eq(subscribers.id, id));
      return row ?? null;
    },

    /**
     * Creates or refreshes a pending subscriber. Active and suppressed addresses are left as they are;
     * unsubscribed ones start over as pending. Says whether a confirmation mail should go out.
     */
    async signup(input: { email: string; frequency: Frequency; ip: string | null }): Promise<SignupOutcome> {
      const suppressed = await db.select({ e: suppressions.email }).from(suppressions).where(eq(suppressions.email, input.email.toLowerCase()));
      if (suppressed.length) return { action: 'none', reason: 'suppressed' };
      const rows = await db.execute<Subscriber & { fresh: boolean }>(sql`
        insert into subscribers (email, frequency, consent_at, consent_ip, confirm_sent_at)
        values (${input.email}, ${input.frequency}, now(), ${input.ip}, now())
        on conflict (lower(email)) do update set
          frequency = excluded.frequency,
          status = 'pending',
          consent_at = now(),
          consent_ip = excluded.consent_ip,
          unsubscribed_at = null,
          confirm_sent_at = now()
        where subscribers.status = 'unsubscribed'
          or (subscribers.status = 'pending'
              and (subscribers.confirm_sent_at is null
                   or subscribers.confirm_sent_at < now() - make_interval(secs => ${CONFIRM_RESEND_SECONDS})))
        returning id, email, status, frequency`);
      const row = rows.rows[0];
      if (!row) return { action: 'none', reason: 'already active, suppressed or recently sent' };
      return { action: 'confirm', subscriber: (await this.byId(Number(row.id)))! };
    },

    /** Activates a pending subscriber; returns the status after the call, or null if unknown. */
    async confirm(id: number): Promise<Subscriber['status'] | null> {
      await db
        .update(subscribers)
        .set({ status: 'active', confirmedAt: sql`now()` })
        .where(and(eq(subscribers.id, id), eq(subscribers.status, 'pending')));
      return (await this.byId(id))?.status ?? null;
    },

    /** Unsubscribes at once; idempotent. Returns the subscriber, or null when unknown. */
    async unsubscribe(id: number): Promise<Subscriber | null> {
      await db
        .update(subscribers)
        .set({ status: 'unsubscribed', unsubscribedAt: sql`now()` })
        .where(and(eq(subscribers.id, id), sql`${subscribers.status} in ('pending', 'active')`));
      return this.byId(id);
    },
  };
}

export type SubscribersRepo = ReturnType<typeof createSubscribersRepo>;
