import type { Subscriber } from '../domain/reader.js';
import { and, eq, sql } from 'drizzle-orm';
import type { Preferences } from '../domain/preferences.js';
import type { Db } from './client.js';
import { consents, outbox, subscribers } from './schema.js';
import { createSignupBatcher } from './signups.js';
import { createRoster } from './subscriber-roster.js';
import type { ConsentContext, Signup, SignupOutcome } from '../domain/signup.js';

/** The reader's next local send time after `after`, from their own row (migration 0006); null when they get nothing. */
const nextSend = (after: ReturnType<typeof sql>) =>
  sql`case when status = 'active' and frequency <> 'paused' then papermail_next_send(timezone, send_hour, frequency = 'weekly', send_day, ${after}) end`;
const NEXT_SEND = nextSend(sql`now()`);

export function createSubscribersRepo(db: Db, hashEmail: (email: string) => string, opts: { namedStatements: boolean } = { namedStatements: true }) {
  type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
  const recordConsent = (tx: Db | Tx, subscriberId: number, kind: string, c: ConsentContext) =>
    tx.insert(consents).values({ subscriberId, kind, ip: c.ip, userAgent: c.userAgent?.slice(0, 500) ?? null, formVersion: c.formVersion });

  const signups = createSignupBatcher(db, hashEmail, opts);

  return {
    ...createRoster(db),

    /** Finds a subscriber by id. */
    async byId(id: number): Promise<Subscriber | null> {
      const [row] = await db.select().from(subscribers).where(eq(subscribers.id, id));
      return row ?? null;
    },

    /** Finds a subscriber by address (case folded). */
    async byEmail(email: string): Promise<Subscriber | null> {
      const [row] = await db.select().from(subscribers).where(sql`lower(${subscribers.email}) = lower(${email})`);
      return row ?? null;
    },

    /**
     * Creates or refreshes a pending subscriber. Active and suppressed addresses are left as they are;
     * unsubscribed ones start over as pending. The confirmation mail it owes goes to the outbox in the same
     * transaction: the answer never waits for the queue, and the mail is not lost while the queue is down.
     */
    async signup(input: Signup): Promise<SignupOutcome> {
      const id = await signups.load(input);
      if (id === null) return { action: 'none', reason: 'already active, suppressed or recently sent' };
      return { action: 'confirm', subscriberId: id };
    },

    /**
     * Activates a pending subscriber by a link for their signup of `signedUpAt` (its consent time), and owes
     * them a welcome mail; a signup since then (the link is for an older one) activates nothing. Returns the
     * status after the call, or null if unknown.
     */
    async confirm(id: number, signedUpAt: Date | null, consent: ConsentContext): Promise<{ status: Subscriber['status'] | null; activated: boolean }> {
      const activated = await db.transaction(async (tx) => {
        const updated = await tx
          .update(subscribers)
          .set({ status: 'active', confirmedAt: sql`now()`, engagedAt: sql`now()` })
          .where(
            and(
              eq(subscribers.id, id),
              eq(subscribers.status, 'pending'),
              signedUpAt
                ? sql`floor(extract(epoch from ${subscribers.consentAt}) * 1000) = ${signedUpAt.getTime()}`
                : sql`${subscribers.consentAt} is null`,
            ),
          )
          .returning({ id: subscribers.id });
        if (!updated.length) return false;
        // From now on the reader has a schedule: their first digest comes at their next local send time.
        await tx.execute(sql`update subscribers set next_send_at = ${NEXT_SEND} where id = ${id}`);
        await recordConsent(tx, id, 'confirm', consent);
        // One welcome per subscriber id: confirming twice does not greet twice.
        await tx.insert(outbox).values({ kind: 'welcome', subscriberId: id, jobId: `welcome-${id}` });
        return true;
      });
      return { status: (await this.byId(id))?.status ?? null, activated };
    },

    /** When the reader signed up before, newest first (their signup consents, as many as a link could still be from). */
    async signupTimes(id: number): Promise<Date[]> {
      const res = await db.execute<{ at: string }>(sql`select at from consents where subscriber_id = ${id} and kind = 'signup' order by id desc limit 50`);
      return res.rows.map((r) => new Date(r.at));
    },

    /** Owes the reader a mail with a fresh link to their data (pending, active or unsubscribed readers only). */
    async oweDataLink(id: number): Promise<boolean> {
      const rows = await db.execute(sql`
        insert into outbox (kind, subscriber_id, job_id)
        select 'data-link', id, 'data-link-' || id || '-' || (extract(epoch from clock_timestamp()) * 1000)::bigint
        from subscribers where id = ${id} and status in ('pending', 'active', 'unsubscribed')
        returning id`);
      return rows.rows.length > 0;
    },

    /** Saves a reader's preferences (validated before this; a field left out keeps its value) and reschedules them. */
    async savePreferences(id: number, p: Preferences, consent: ConsentContext): Promise<Subscriber | null> {
      const row = await db.transaction(async (tx) => {
        const [updated] = await tx
          .update(subscribers)
          .set({
            frequency: p.frequency,
            topics: p.topics,
            maxPapers: p.maxPapers,
            sendHour: p.sendHour,
            timezone: p.timezone,
            sendDay: p.sendDay,
            ...(p.timezone !== undefined ? { timezoneChosen: true } : {}),
            engagedAt: sql`now()`,
          })
          .where(and(eq(subscribers.id, id), sql`${subscribers.status} in ('pending', 'active')`))
          .returning({ id: subscribers.id });
        if (!updated) return null;
        await tx.execute(sql`update subscribers set next_send_at = ${NEXT_SEND} where id = ${id}`);
        await recordConsent(tx, id, 'preferences', consent);
        return updated;
      });
      return row ? this.byId(id) : null;
    },

    /** Sets the next send time of these readers (all active ones when `ids` is null) from `after`: for a clock of our own. */
    async reschedule(ids: number[] | null, after: Date): Promise<void> {
      const when = sql`${after.toISOString()}::timestamptz`;
      await db.execute(sql`
        update subscribers set next_send_at = ${nextSend(when)}
        where status = 'active' ${ids ? sql`and id = any(${sql.param(ids)}::bigint[])` : sql``}`);
    },

    /** Everything stored about a reader (GDPR Art. 15): the row, consents, deliveries with their papers, feedback, and the bounces and complaints heard for the address. */
    async export(id: number) {
      const subscriber = await this.byId(id);
      if (!subscriber) return null;
      const { emailHash: _hash, ...reader } = subscriber;
      const consentRows = await db.execute(sql`
        select kind, at, ip, user_agent as "userAgent", form_version as "formVersion" from consents where subscriber_id = ${id} order by id`);
      const deliveryRows = await db.execute(sql`
        select d.edition_id as "editionId", e.frequency, e.period, d.status, d.paper_ids as "paperIds", d.sent_at as "sentAt",
               d.message_id as "messageId", d.attempts, d.last_response as "lastResponse"
        from deliveries d join editions e on e.id = d.edition_id where d.subscriber_id = ${id} order by d.id`);
      const feedbackRows = await db.execute(sql`
        select f.paper_id as "paperId", p.title, f.choice, f.at from feedback f join papers p on p.id = f.paper_id
        where f.subscriber_id = ${id} order by f.at, f.paper_id`);
      const bounceRows = await db.execute(sql`
        select kind, source, detail, at from bounce_events where email = lower(${subscriber.email}) order by id`);
      return { subscriber: reader, consents: consentRows.rows, deliveries: deliveryRows.rows, feedback: feedbackRows.rows, bounces: bounceRows.rows };
    },

    /**
     * Erases a reader for good (GDPR Art. 17): the row goes, with its consents, deliveries and feedback; only a keyed
     * hash of the address stays in suppressions, so a stale job or an old import cannot mail it again.
     */
    async erase(id: number): Promise<boolean> {
      return db.transaction(async (tx) => {
        const found = await tx.execute<{ email: string }>(sql`select email from subscribers where id = ${id} for update`);
        const email = found.rows[0]?.email;
        if (!email) return false;
        const hash = hashEmail(email);
        // A bounce suppression held the plain address: the hash takes its place and keeps its reason.
        await tx.execute(sql`
          insert into suppressions (email, reason, source)
          values (${hash}, coalesce((select reason from suppressions where email = lower(${email})), 'erased'),
                  coalesce((select source from suppressions where email = lower(${email})), 'erased'))
          on conflict (email) do nothing`);
        await tx.execute(sql`delete from suppressions where email = lower(${email})`);
        await tx.execute(sql`delete from bounce_events where email = lower(${email})`);
        await tx.execute(sql`delete from outbox where subscriber_id = ${id}`);
        // Their deliveries go with them; each edition's ledger still counts them, as erased.
        await tx.execute(sql`
          update editions e set erased = e.erased + x.n
          from (select edition_id, count(*)::int as n from deliveries where subscriber_id = ${id} group by edition_id) x where e.id = x.edition_id`);
        await tx.execute(sql`delete from subscribers where id = ${id}`);
        return true;
      });
    },

    /**
     * Imports a reader whose consent the operator vouches for (`statement` says where it was given): active
     * at once and scheduled, with the consent recorded as an import. Existing and suppressed addresses are left
     * alone; returns what happened.
     */
    async importConsented(input: Omit<Signup, 'consent'>, statement: string): Promise<'imported' | 'exists' | 'suppressed'> {
      return db.transaction(async (tx) => {
        const hash = hashEmail(input.email);
        const suppressed = await tx.execute(sql`
          select 1 from suppressions where (email = ${input.email.toLowerCase()} or email = ${hash}) and reason <> 'erased'`);
        if (suppressed.rows.length) return 'suppressed';
        const rows = await tx.execute<{ id: number }>(sql`
          insert into subscribers (email, email_hash, status, frequency, topics, timezone, timezone_chosen, send_hour, send_day, consent_at, confirmed_at)
          values (${input.email}, ${hash}, 'active', ${input.frequency}, ${JSON.stringify(input.topics ?? [])}::jsonb, ${input.timezone},
                  ${input.timezoneChosen}, ${input.sendHour ?? 8}, ${input.sendDay ?? 1}, now(), now())
          on conflict (lower(email)) do nothing returning id`);
        const id = rows.rows[0] ? Number(rows.rows[0].id) : null;
        if (id === null) return 'exists';
        await tx.execute(sql`update subscribers set next_send_at = ${NEXT_SEND} where id = ${id}`);
        await recordConsent(tx, id, 'import', { ip: null, userAgent: null, formVersion: `import: ${statement}`.slice(0, 500) });
        return 'imported';
      });
    },

    /** Imports a reader by double opt-in: the same as a signup (a confirmation mail is owed), the consent marked as an import. */
    async importPending(input: Omit<Signup, 'consent'>): Promise<'invited' | 'skipped'> {
      const id = await signups.load({ ...input, consent: { ip: null, userAgent: null, formVersion: 'import: double opt-in' } });
      return id === null ? 'skipped' : 'invited';
    },

    /**
     * Forgets the network traces (IP, browser) of signups never confirmed within `days` and of readers who
     * left more than `days` ago; their consent records keep the time and the form's wording. Returns how
     * many readers it touched.
     */
    async forgetNetworkTraces(days: number): Promise<number> {
      const stale = sql`(s.status = 'pending' and s.consent_at < now() - make_interval(days => ${days}))
                        or (s.status = 'unsubscribed' and s.unsubscribed_at < now() - make_interval(days => ${days}))`;
      return db.transaction(async (tx) => {
        await tx.execute(sql`
          update consents c set ip = null, user_agent = null from subscribers s
          where c.subscriber_id = s.id and (c.ip is not null or c.user_agent is not null) and (${stale})`);
        const readers = await tx.execute(sql`
          update subscribers s set consent_ip = null where s.consent_ip is not null and (${stale}) returning 1`);
        return readers.rows.length;
      });
    },

    /** Unsubscribes at once; idempotent. Returns the subscriber, or null when unknown. */
    async unsubscribe(id: number): Promise<Subscriber | null> {
      await db
        .update(subscribers)
        .set({ status: 'unsubscribed', unsubscribedAt: sql`now()`, nextSendAt: null })
        .where(and(eq(subscribers.id, id), sql`${subscribers.status} in ('pending', 'active')`));
      return this.byId(id);
    },
  };
}

