import DataLoader from 'dataloader';
import { gatedBatches } from './batching.js';
import type { Db } from './client.js';
import type { Signup as SignupInput } from '../domain/signup.js';

// One confirmation mail per pending address per window: a signup form must not become a way to flood an inbox.
const CONFIRM_RESEND_SECONDS = 600;

/**
 * Signups in one statement (one round trip and one commit for many readers, atomic as any statement is).
 * Per address: one suppressed for any reason but erasure is left alone; an erased one starts fresh (a new,
 * explicit opt-in), its marker gone. A new address, or one that left or never confirmed (and got no
 * confirmation mail in the window), gets a pending row, its consent and a confirmation owed in the outbox.
 * Returns, per input (`n`, from 1), the id owed a confirmation. The addresses must differ (case folded).
 */
const SIGNUP_SQL = `
  with input as (
    select * from unnest(
      $1::text[], $2::text[], $3::frequency[], $4::text[], $5::text[], $6::boolean[], $7::int[], $8::int[], $9::text[], $10::text[], $11::text[]
    ) with ordinality as t(email, hash, frequency, topics, timezone, timezone_chosen, send_hour, send_day, ip, user_agent, form_version, n)
  ), blocked as (
    select distinct i.n from input i join suppressions s on (s.email = lower(i.email) or s.email = i.hash) and s.reason <> 'erased'
  ), unerased as (
    delete from suppressions s using input i where s.email = i.hash and s.reason = 'erased' returning 1
  ), upserted as (
    insert into subscribers (email, email_hash, frequency, topics, timezone, timezone_chosen, send_hour, send_day, consent_at, consent_ip, confirm_sent_at)
    select email, hash, frequency, topics::jsonb, timezone, timezone_chosen, send_hour, send_day, now(), ip, now()
    from input where n not in (select n from blocked) order by n
    on conflict (lower(email)) do update set
      frequency = excluded.frequency,
      topics = excluded.topics,
      timezone = excluded.timezone,
      timezone_chosen = excluded.timezone_chosen,
      send_hour = excluded.send_hour,
      send_day = excluded.send_day,
      email_hash = excluded.email_hash,
      status = 'pending',
      consent_at = now(),
      consent_ip = excluded.consent_ip,
      unsubscribed_at = null,
      confirm_sent_at = now()
    where subscribers.status = 'unsubscribed'
      or (subscribers.status = 'pending'
          and (subscribers.confirm_sent_at is null
               or subscribers.confirm_sent_at < now() - make_interval(secs => ${CONFIRM_RESEND_SECONDS})))
    returning id, email_hash, (extract(epoch from confirm_sent_at) * 1000)::bigint as stamp
  ), joined as (
    select u.id, u.stamp, i.* from upserted u join input i on i.hash = u.email_hash
  ), consented as (
    insert into consents (subscriber_id, kind, ip, user_agent, form_version) select id, 'signup', ip, user_agent, form_version from joined
  ), owed as (
    insert into outbox (kind, subscriber_id, job_id) select 'confirm', id, 'confirm-' || id || '-' || stamp from joined
  )
  select id, n from joined`;

/**
 * Signups, batched: each call of `load` resolves to the id owed a confirmation, or null (suppressed, already
 * active, or a confirmation sent within the window).
 */
export function createSignupBatcher(
  db: Db,
  hashEmail: (email: string) => string,
  opts: { namedStatements: boolean } = { namedStatements: true },
): { load(input: SignupInput): Promise<number | null> } {
  // Named, it is parsed once per connection and planned generically: planning was half its time.
  const statement = opts.namedStatements ? { name: 'signup-batch', text: SIGNUP_SQL } : { text: SIGNUP_SQL };
  /** Runs SIGNUP_SQL; returns, per input, the id owed a confirmation, or null. */
  async function signupStatement(inputs: readonly SignupInput[]): Promise<(number | null)[]> {
    const col = <T>(f: (i: SignupInput) => T) => inputs.map(f);
    const rows = await db.$client.query<{ id: number; n: number }>({
      ...statement,
      values: [
        col((i) => i.email),
        col((i) => hashEmail(i.email)),
        col((i) => i.frequency),
        col((i) => JSON.stringify(i.topics ?? [])),
        col((i) => i.timezone),
        col((i) => i.timezoneChosen),
        col((i) => i.sendHour ?? 8),
        col((i) => i.sendDay ?? 1),
        col((i) => i.consent.ip),
        col((i) => i.consent.userAgent?.slice(0, 500) ?? null),
        col((i) => i.consent.formVersion),
      ],
    });
    const ids: (number | null)[] = inputs.map(() => null);
    for (const r of rows.rows) ids[Number(r.n) - 1] = Number(r.id);
    return ids;
  }

  // Signups that arrive together share a statement and its commit (the commit's WAL flush is most of a
  // signup's cost in Postgres): each batch is dispatched when fewer than two are in flight, and whatever
  // arrived meanwhile joins the next. A batch that fails is retried one signup at a time, so that one
  // bad row fails alone.
  const SIGNUP_BATCH = 100;
  const gate = gatedBatches(2);
  const signups = new DataLoader<SignupInput, number | null>(
    async (inputs) => {
      gate.started();
      try {
        // One statement cannot touch a row twice: a repeated address (case folded) gets null, as a
        // second signup inside the confirmation window does.
        const seen = new Set<string>();
        const first = inputs.filter((i) => {
          const key = i.email.toLowerCase();
          return !seen.has(key) && seen.add(key);
        });
        try {
          const ids = await signupStatement(first);
          const byInput = new Map(first.map((input, k) => [input, ids[k]!]));
          return inputs.map((i) => byInput.get(i) ?? null);
        } catch {
          return Promise.all(inputs.map((i) => (first.includes(i) ? signupStatement([i]).then(([id]) => id!, (err: Error) => err) : null)));
        }
      } finally {
        gate.done();
      }
    },
    { cache: false, maxBatchSize: SIGNUP_BATCH, batchScheduleFn: gate.schedule },
  );

  return { load: (input) => signups.load(input) };
}
