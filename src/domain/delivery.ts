import type { ReaderView } from './reader.js';

/** A delivery this worker now owns, with what is needed to send it. */
export type ClaimedDelivery = {
  id: number;
  subscriberId: number;
  email: string;
  /** Attempts including this one. */
  attempts: number;
  /** The edition's render (its digest in parts) this reader's message is assembled from. */
  renderId: number | null;
  /** The reader's list, in order. */
  paperIds: string[];
  /** Their day, topics and reasons (null on rows assigned before digests were assembled from parts). */
  view: ReaderView | null;
  /** Why the reader may not be mailed any more (they left, paused or were suppressed after the row was queued), or null. */
  unsendable: 'unsubscribed' | 'paused' | 'suppressed' | null;
  /** When the edition was last resumed (epoch ms, 0 if never): a fresh breaker after each resume. */
  resumedAt: number;
};

/**
 * What happened to one claimed delivery. `token` is the claim it was sent under: a result whose claim
 * was lost (the lease ran out and another worker took the row) is not written.
 */
export type DeliveryResult = { id: number; token: string; response: string } & (
  | { status: 'sent'; messageId: string }
  /** `suppress`: the address to suppress (a dead mailbox), or null. */
  | { status: 'failed'; suppress: string | null }
  /** A 4xx: try again after `delayMs`; the attempt counts against the reader. */
  | { status: 'retry'; delayMs: number }
  /** Not sent, and not the reader's fault (transport failure, stopping, paused): the attempt does not count. */
  | { status: 'requeue'; delayMs: number }
  | { status: 'skipped' }
);

export type OutboxRow = {
  id: number;
  kind: 'confirm' | 'welcome' | 'data-link';
  subscriberId: number;
  jobId: string;
};
