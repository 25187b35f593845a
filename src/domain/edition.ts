/** How often a reader gets a digest, and what an edition is of. (A reader may also pause: see Subscriber.) */
export type Frequency = 'daily' | 'weekly';

type EditionStatus = 'pending' | 'assigning' | 'sending' | 'sent' | 'empty' | 'paused';

/** One issue of the digest for one frequency and period (editions in src/db/schema.ts). */
export type Edition = {
  id: number;
  frequency: Frequency;
  period: string;
  forced: boolean;
  status: EditionStatus;
  paperIds: string[];
  subject: string | null;
  note: string | null;
  audienceAt: Date | null;
  dueAt: Date | null;
  assignBeatAt: Date | null;
  pausedAt: Date | null;
  pausedReason: string | null;
  pauseKind: 'breaker' | 'operator' | 'complaints' | null;
  pausedSignature: string | null;
  nextProbeAt: Date | null;
  probes: number;
  resumedAt: Date | null;
  erased: number;
  createdAt: Date;
  builtAt: Date | null;
  finishedAt: Date | null;
};

/** How many ranked papers an edition offers; each reader's digest is cut from these. */
export const POOL_SIZE = 50;

export type EditionStats = {
  id: number;
  frequency: Frequency;
  period: string;
  forced: boolean;
  status: Edition['status'];
  recipients: number;
  queued: number;
  sending: number;
  sent: number;
  failed: number;
  skipped: number;
  /** Complaints tied to this edition (one edition's stats only). */
  complaints?: number;
  renders: number;
  papers: string[];
  note: string | null;
  pausedReason: string | null;
  pausedAt: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
};

/** An edition's audience accounted for: `target` = sent + failed + skipped + suppressed + unsubscribed + erased + open. */
export interface Ledger {
  target: number;
  sent: number;
  failed: number;
  /** Nothing for them this time (no new paper matched, or their day missed the catch-up window). */
  skipped: number;
  /** Suppressed after the edition gave them a row. */
  suppressed: number;
  /** Unsubscribed, or paused their digests, after the edition gave them a row. */
  unsubscribed: number;
  /** Erased their data after the edition gave them a row. */
  erased: number;
  /** Queued or being sent. */
  open: number;
}

/** A range of reader ids that one job assigns (see edition_shards in schema.ts). */
export interface Shard {
  firstId: number;
  /** Included; null for the last range, which has no upper bound. */
  lastId: number | null;
  done: boolean;
}

export interface RenderRow {
  id: number;
  listKey: string;
  paperIds: string[];
  subject: string;
  mimeTemplate: string;
}

/**
 * What an edition's readers did about it, only from what a person does (a POST on a feedback button after
 * the digest was sent): how many acted, and the papers chosen most ("more like this"). Aggregates only.
 */
export interface EditionEngagement {
  readers: number;
  papers: { paperId: string; title: string; chosen: number }[];
}
