import { sql } from 'drizzle-orm';
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
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const subscriberStatus = pgEnum('subscriber_status', ['pending', 'active', 'unsubscribed', 'suppressed']);
export const frequency = pgEnum('frequency', ['daily', 'weekly']);
export const editionStatus = pgEnum('edition_status', ['pending', 'sending', 'sent', 'empty']);
export const deliveryStatus = pgEnum('delivery_status', ['queued', 'sending', 'sent', 'failed']);

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
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    consentAt: timestamp('consent_at', { withTimezone: true }),
    consentIp: text('consent_ip'),
    // Last time a confirmation mail was queued: throttles re-sends to one address.
    confirmSentAt: timestamp('confirm_sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('subscribers_email_lower_key').on(sql`lower(${t.email})`),
    index('subscribers_active_idx').on(t.frequency, t.id).where(sql`${t.status} = 'active'`),
  ],
);

export interface PaperLinks {
  hf?: string;
  arxiv?: string;
  pdf?: string;
  github?: string;
  githubStars?: number;
  project?: string;
  doi?: string;
}

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
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('papers_first_seen_idx').on(t.firstSeenAt), index('papers_featured_idx').on(t.featuredOn)],
);

export const editions = pgTable(
  'editions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    frequency: frequency('frequency').notNull(),
    // The schedule period this edition belongs to: '2026-11-29' (daily) or '2026-W48' (weekly).
    period: text('period').notNull(),
    forced: boolean('forced').notNull().default(false),
    status: editionStatus('status').notNull().default('pending'),
    paperIds: jsonb('paper_ids').$type<string[]>().notNull().default([]),
    subject: text('subject'),
    // The rendered message with per-reader slots, built once; see src/mail/mime-template.ts.
    mimeTemplate: text('mime_template'),
    renders: integer('renders').notNull().default(0),
    // Why an edition sent nothing, when it did not.
    note: text('note'),
    createdAt: createdAt(),
    builtAt: timestamp('built_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('editions_period_key').on(t.frequency, t.period).where(sql`not ${t.forced}`),
    index('editions_frequency_idx').on(t.frequency, t.id),
  ],
);

export const deliveries = pgTable(
  'deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    editionId: bigint('edition_id', { mode: 'number' })
      .notNull()
      .references(() => editions.id, { onDelete: 'cascade' }),
    subscriberId: bigint('subscriber_id', { mode: 'number' })
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    status: deliveryStatus('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastResponse: text('last_response'),
    messageId: text('message_id'),
    // When the current claim was taken; a claim older than the lease belongs to a crashed worker.
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('deliveries_edition_subscriber_key').on(t.editionId, t.subscriberId),
    index('deliveries_edition_status_idx').on(t.editionId, t.status),
    index('deliveries_subscriber_idx').on(t.subscriberId),
    check('deliveries_attempts_check', sql`${t.attempts} >= 0`),
  ],
);

export const suppressions = pgTable('suppressions', {
  // Lower-cased address, or a keyed hash of it once the reader is erased.
  email: text('email').primaryKey(),
  reason: text('reason').notNull(),
  detail: text('detail'),
  createdAt: createdAt(),
});
