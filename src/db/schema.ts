import { sql } from 'drizzle-orm';
import type { PaperLinks } from '../domain/paper.js';
import type { ReaderView, Subscriber } from '../domain/reader.js';
import type { Edition } from '../domain/edition.js';
import type { Paper } from '../domain/paper.js';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

export const subscriberStatus = pgEnum('subscriber_status', ['pending', 'active', 'unsubscribed', 'suppressed']);
export const frequency = pgEnum('frequency', ['daily', 'weekly', 'paused']);
// pending: no pool yet · assigning: pool fixed, readers being given their lists · sending: every target has a
// row · sent: every row is final · paused: the circuit breaker (or an operator) stopped it · empty: nothing new.
export const editionStatus = pgEnum('edition_status', ['pending', 'assigning', 'sending', 'sent', 'empty', 'paused']);
// skipped: the reader's list came out empty (topics matched nothing new); the reason is in last_response.
export const deliveryStatus = pgEnum('delivery_status', ['queued', 'sending', 'sent', 'failed', 'skipped']);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const subscribers = pgTable(
  'subscribers',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    email: text('email').notNull(),
    status: subscriberStatus('status').notNull().default('pending'),
    frequency: frequency('frequency').notNull().default('daily'),
    createdAt: createdAt(),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    // The last time the reader did something only a person does: a POST on a feedback, confirm or preferences
    // button (GETs and HEADs never count: mail scanners fetch every link). See docs/deliverability.md.
    engagedAt: timestamp('engaged_at', { withTimezone: true }),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    consentAt: timestamp('consent_at', { withTimezone: true }),
    consentIp: text('consent_ip'),
    // Last time a confirmation mail was queued: throttles re-sends to one address.
    confirmSentAt: timestamp('confirm_sent_at', { withTimezone: true }),
    // Keyed hash of the lower-cased address: matches the suppression an erased reader leaves behind.
    emailHash: text('email_hash'),
    topics: jsonb('topics').$type<string[]>().notNull().default([]),
    // Null means DIGEST_SIZE.
    maxPapers: integer('max_papers'),
    sendHour: integer('send_hour').notNull().default(8),
    timezone: text('timezone').notNull().default('UTC'),
    // ISO weekday (1 = Monday) a weekly reader gets the digest on.
    sendDay: integer('send_day').notNull().default(1),
    // True once the reader (or their browser at signup) chose the zone: a page never replaces it.
    timezoneChosen: boolean('timezone_chosen').notNull().default(false),
    // The reader's next local send time as an instant (papermail_next_send in migration 0006); the due
    // query is a range scan on it. Null for readers with nothing scheduled.
    nextSendAt: timestamp('next_send_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('subscribers_email_lower_key').on(sql`lower(${t.email})`),
    index('subscribers_active_idx').on(t.frequency, t.id).where(sql`${t.status} = 'active'`),
    index('subscribers_due_idx').on(t.frequency, t.nextSendAt).where(sql`${t.status} = 'active'`),
    check('subscribers_send_hour_check', sql`${t.sendHour} between 0 and 23`),
    check('subscribers_send_day_check', sql`${t.sendDay} between 1 and 7`),
    check('subscribers_max_papers_check', sql`${t.maxPapers} is null or ${t.maxPapers} between 1 and 30`),
  ],
);

/** What a reader agreed to, when, and from where: signup, confirmation, preference changes. */
export const consents = pgTable(
  'consents',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    subscriberId: bigint('subscriber_id', { mode: 'number' })
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    formVersion: text('form_version'),
  },
  (t) => [index('consents_subscriber_idx').on(t.subscriberId)],
);

export const papers = pgTable(
  'papers',
  {
    // The arXiv id without version where known; otherwise a stable id derived from the source.
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    abstract: text('abstract').notNull().default(''),
    authors: jsonb('authors').$type<string[]>().notNull().default([]),
    // Null when no source has told us (arXiv alone has no upvotes or comments).
    upvotes: integer('upvotes'),
    comments: integer('comments'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    featuredOn: date('featured_on'),
    links: jsonb('links').$type<PaperLinks>().notNull().default({}),
    summary: text('summary'),
    thumbnail: text('thumbnail'),
    keywords: jsonb('keywords').$type<string[]>().notNull().default([]),
    categories: jsonb('categories').$type<string[]>().notNull().default([]),
    organization: text('organization'),
    // The source that first brought the paper, and every source that has listed it since.
    source: text('source').notNull(),
    sources: jsonb('sources').$type<string[]>().notNull().default([]),
    // Position in the source's own listing (lower is more trending); breaks ties when upvotes are unknown.
    sourceRank: integer('source_rank'),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    // The paper's text vector (stemmed term -> BM25 weight, L2-normalized) over title, abstract and keywords,
    // computed at ingest against the recent papers (src/domain/paper-vectors.ts). Null until computed.
    vector: jsonb('vector').$type<Record<string, number>>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('papers_first_seen_idx').on(t.firstSeenAt), index('papers_featured_idx').on(t.featuredOn)],
);

export const editions = pgTable(
  'editions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // Editions are daily or weekly; 'paused' only ever describes a reader.
    frequency: frequency('frequency').$type<'daily' | 'weekly'>().notNull(),
    // The schedule period this edition belongs to: '2026-11-29' (daily) or '2026-W48' (weekly).
    period: text('period').notNull(),
    forced: boolean('forced').notNull().default(false),
    status: editionStatus('status').notNull().default('pending'),
    paperIds: jsonb('paper_ids').$type<string[]>().notNull().default([]),
    subject: text('subject'),
    // Why an edition sent nothing, when it did not.
    note: text('note'),
    // Who the edition targets, so that recovery is a query: every reader confirmed by `audience_at`
    // (an operator sent it to everyone), and the readers whose local send hour is the hour of `due_at`.
    audienceAt: timestamp('audience_at', { withTimezone: true }),
    dueAt: timestamp('due_at', { withTimezone: true }),
    // Written by the job assigning readers after each page; a stale beat means that job died.
    assignBeatAt: timestamp('assign_beat_at', { withTimezone: true }),
    pausedAt: timestamp('paused_at', { withTimezone: true }),
    pausedReason: text('paused_reason'),
    // Who paused it: the breaker (our own fault; probed, and resumed by itself once a probe passes), an
    // operator, or the complaint guard (both wait for a person).
    pauseKind: text('pause_kind').$type<'breaker' | 'operator' | 'complaints'>(),
    // The SMTP answer a storm was made of ("550 5.7.1"): a probe that meets it again has not passed.
    pausedSignature: text('paused_signature'),
    // When the breaker next probes the relay, and how many probes in a row have failed (the wait doubles).
    nextProbeAt: timestamp('next_probe_at', { withTimezone: true }),
    probes: integer('probes').notNull().default(0),
    resumedAt: timestamp('resumed_at', { withTimezone: true }),
    // Rows of this edition that went with an erased reader: the ledger still counts them.
    erased: integer('erased').notNull().default(0),
    createdAt: createdAt(),
    builtAt: timestamp('built_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('editions_period_key').on(t.frequency, t.period).where(sql`not ${t.forced}`),
    index('editions_frequency_idx').on(t.frequency, t.id),
  ],
);

/** One MJML render per distinct paper list of an edition: readers with the same list share it. */
export const editionRenders = pgTable(
  'edition_renders',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    editionId: bigint('edition_id', { mode: 'number' })
      .notNull()
      .references(() => editions.id, { onDelete: 'cascade' }),
    listKey: text('list_key').notNull(),
    paperIds: jsonb('paper_ids').$type<string[]>().notNull(),
    subject: text('subject').notNull(),
    mimeTemplate: text('mime_template').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('edition_renders_list_key').on(t.editionId, t.listKey)],
);

/**
 * A large audience's assignment split into ranges of reader ids, each built by its own job (on any worker):
 * a shard beats while it runs and is done once its range has no target left. The ranges cover every id, so
 * when every shard is done one pass over the whole edition finds (and assigns) only readers who became
 * targets meanwhile.
 */
export const editionShards = pgTable(
  'edition_shards',
  {
    editionId: bigint('edition_id', { mode: 'number' })
      .notNull()
      .references(() => editions.id, { onDelete: 'cascade' }),
    // Reader ids from first_id to last_id, both included; the last shard has no upper bound (null).
    firstId: bigint('first_id', { mode: 'number' }).notNull(),
    lastId: bigint('last_id', { mode: 'number' }),
    // Set when its job is queued, and by its builder after each page: a stale beat means the job is lost.
    beatAt: timestamp('beat_at', { withTimezone: true }),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.editionId, t.firstId] })],
);

export const deliveries = pgTable(
  'deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // No foreign key to editions or to edition_renders: each was a lookup and a row lock on one parent row for
    // every reader inserted (about 7.5 of 18 µs a row, measured in PostgreSQL 15 with 300,000 rows), and both
    // parents are written by the builder in the statements that write these rows, and never deleted.
    editionId: bigint('edition_id', { mode: 'number' }).notNull(),
    // The reader's key stays: erasure removes a reader's deliveries through it (on delete cascade).
    subscriberId: bigint('subscriber_id', { mode: 'number' })
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    status: deliveryStatus('status').notNull().default('queued'),
    // The render this reader gets, and the papers in it: what makes "never the same paper twice" a query.
    renderId: bigint('render_id', { mode: 'number' }),
    paperIds: jsonb('paper_ids').$type<string[]>().notNull().default([]),
    attempts: integer('attempts').notNull().default(0),
    lastResponse: text('last_response'),
    messageId: text('message_id'),
    // When the current claim was taken or last extended; a claim older than the lease belongs to a dead worker.
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    // The fence: each claimed chunk gets its own token, and only its holder may record a result.
    claimToken: uuid('claim_token'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
    // What this delivery is the reader's one of: `daily:2026-11-30` or `weekly:2026-W48` in the reader's own
    // zone, or `edition:ID` for an operator's forced extra. One row per reader and slot, whatever runs twice.
    slot: text('slot').notNull(),
    // The instant the reader was due (their local send time), or the operator's send time.
    dueAt: timestamp('due_at', { withTimezone: true }),
    // What the reader's digest adds to their list (src/digest/digest-message.ts ReaderView): their local day,
    // their topics, and why a paper ranks high for them. Their message is assembled from the edition's parts.
    view: jsonb('view').$type<ReaderView>(),
  },
  (t) => [
    uniqueIndex('deliveries_subscriber_slot_key').on(t.subscriberId, t.slot),
    // An edition's rows by status, in id order: a claim reads its range's queued and sending rows, the end of
    // a send asks whether any is still open, the console counts them. While an edition sends, its rows are
    // new to the planner's statistics: with (edition, status) alone, a claim read every open row of the
    // edition and intersected them with its range (about 20 ms each); a partial index of open rows, empty in
    // the statistics between sends, was scanned whole for every stored result (docs/scaling.md).
    index('deliveries_edition_status_id_idx').on(t.editionId, t.status, t.id),
    check('deliveries_attempts_check', sql`${t.attempts} >= 0`),
  ],
);

export const feedbackChoice = pgEnum('feedback_choice', ['more', 'less']);

/** A reader's "More like this" / "Less like this" on a paper: the last choice wins; it tunes their ranking. */
export const feedback = pgTable(
  'feedback',
  {
    subscriberId: bigint('subscriber_id', { mode: 'number' })
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    paperId: text('paper_id')
      .notNull()
      .references(() => papers.id, { onDelete: 'cascade' }),
    choice: feedbackChoice('choice').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.paperId] }), index('feedback_subscriber_at_idx').on(t.subscriberId, t.at)],
);

export const suppressions = pgTable('suppressions', {
  // Lower-cased address, or a keyed hash of it once the reader is erased.
  email: text('email').primaryKey(),
  reason: text('reason').notNull(),
  detail: text('detail'),
  // The delivery whose SMTP answer caused it, so that a storm the breaker blames on us can be undone.
  deliveryId: bigint('delivery_id', { mode: 'number' }),
  // Where we heard it: smtp (the answer while sending), webhook (a provider's notification), dsn (a
  // delivery-status notification imported from a mailbox), complaint (an ARF report), erased, admin.
  source: text('source').notNull().default('smtp'),
  createdAt: createdAt(),
});

/** Every bounce and complaint heard after the SMTP answer: soft bounces are counted here before they suppress. */
export const bounceEvents = pgTable(
  'bounce_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    email: text('email').notNull(),
    kind: text('kind').$type<'hard' | 'soft' | 'complaint'>().notNull(),
    source: text('source').notNull(),
    detail: text('detail'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    // A complaint's edition: the one whose message it reports (by Message-ID), else the last digest the
    // address was sent within 30 days. The complaint-rate guard counts them per edition.
    editionId: bigint('edition_id', { mode: 'number' }),
  },
  (t) => [index('bounce_events_email_at_idx').on(t.email, t.at), index('bounce_events_edition_idx').on(t.editionId).where(sql`${t.kind} = 'complaint'`)],
);

/**
 * Mail a request owes (a confirmation, a welcome), written in the same transaction as the row that owes it
 * and relayed to the queue afterwards: a request never waits for Redis, and no mail is lost when it is down.
 */
export const outbox = pgTable('outbox', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  kind: text('kind').$type<'confirm' | 'welcome' | 'data-link'>().notNull(),
  subscriberId: bigint('subscriber_id', { mode: 'number' }).notNull(),
  // The queue job id: relaying the same row twice adds one job.
  jobId: text('job_id').notNull(),
  attempts: integer('attempts').notNull().default(0),
  createdAt: createdAt(),
});

// rate-limiter-flexible's Postgres store (src/db/rate-limits.ts): its own layout, created here rather than
// by the library at run time. Keys are keyed hashes; `expire` is milliseconds since the epoch.
export const rateLimits = pgTable('rate_limits', {
  key: varchar('key', { length: 255 }).primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});

/**
 * Console sessions (src/http/admin-session.ts): the cookie holds a random id, this table a hash of it.
 * Signing out deletes the row; a row idle past ADMIN_SESSION_IDLE_MINUTES, or older than 12 hours, is dead.
 */
export const adminSessions = pgTable(
  'admin_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    // A fingerprint of the admin token it was opened with: a new ADMIN_TOKEN ends every session.
    tokenPrint: text('token_print').notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('admin_sessions_last_seen_idx').on(t.lastSeenAt)],
);

/** Each paper source's last fetch (an entry of PAPER_SOURCES): when, what it brought, and why it failed. */
export const sourceRuns = pgTable('source_runs', {
  source: text('source').primaryKey(),
  lastRunAt: timestamp('last_run_at', { withTimezone: true }).notNull(),
  // The last fetch that stored its papers; null until one has.
  lastOkAt: timestamp('last_ok_at', { withTimezone: true }),
  // What the last successful fetch brought: items seen, papers added and updated.
  seen: integer('seen').notNull().default(0),
  added: integer('added').notNull().default(0),
  updated: integer('updated').notNull().default(0),
  // Why the last fetch failed; null when it did not.
  error: text('error'),
});

// The domain's words for rows (src/domain/) are these tables' rows, exactly: a change to a table that its
// word does not follow stops the build here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const ROWS_MATCH_THE_DOMAIN: [
  Same<Subscriber, typeof subscribers.$inferSelect>,
  Same<Paper, typeof papers.$inferSelect>,
  Same<Edition, typeof editions.$inferSelect>,
] = [true, true, true];
