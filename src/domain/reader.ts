import type { Frequency } from './edition.js';
import type { Paper } from './paper.js';

type SubscriberStatus = 'pending' | 'active' | 'unsubscribed' | 'suppressed';

/** A reader, as stored (subscribers in src/db/schema.ts). */
export type Subscriber = {
  id: number;
  email: string;
  status: SubscriberStatus;
  frequency: Frequency | 'paused';
  createdAt: Date;
  confirmedAt: Date | null;
  /** The last time the reader did something only a person does (a POST on a feedback, confirm or preferences button). */
  engagedAt: Date | null;
  unsubscribedAt: Date | null;
  consentAt: Date | null;
  consentIp: string | null;
  confirmSentAt: Date | null;
  emailHash: string | null;
  topics: string[];
  maxPapers: number | null;
  sendHour: number;
  timezone: string;
  sendDay: number;
  timezoneChosen: boolean;
  nextSendAt: Date | null;
};

/** What a reader's digest adds to their list: their local day, their topics, and why a paper ranks high. */
export interface ReaderView {
  day: string;
  topics?: string[];
  /** Paper id -> the title of the liked paper that lifted it. */
  because?: Record<string, string>;
}

export type FeedbackChoice = 'more' | 'less';

/** A paper the reader marked, with what the reading list shows of it. */
export interface MarkedPaper {
  paper: Pick<Paper, 'id' | 'title' | 'authors' | 'abstract' | 'links' | 'publishedAt' | 'firstSeenAt' | 'categories'>;
  choice: FeedbackChoice;
  at: Date;
}

/** A reader an edition may go to, with what decides their list and which of their days it is. */
export type Target = {
  id: number;
  email: string;
  topics: string[];
  maxPapers: number | null;
  /** Due by their own schedule (next_send_at), rather than in an operator's send to everyone. */
  scheduled: boolean;
  /** The instant they were due: their local send time, or the operator's send time. */
  dueAt: Date;
  /** `daily:YYYY-MM-DD` or `weekly:YYYY-Www` in the reader's zone (`edition:ID` for a forced extra). */
  slot: string;
  /** The reader's local date at dueAt, for the digest's date line. */
  localDate: string;
  /** The reader already has a delivery for this slot (an operator's send got there first). */
  taken: boolean;
};

/** One reader's outcome for an edition, ready to insert; `taken` rows insert nothing and only move the schedule on. */
export interface Assignment {
  subscriberId: number;
  renderId: number | null;
  paperIds: string[];
  status: 'queued' | 'skipped' | 'taken';
  reason: string | null;
  slot: string;
  dueAt: Date;
  scheduled: boolean;
  /** What the reader's digest adds to the list (their day, topics and reasons); null for rows that send nothing. */
  view: ReaderView | null;
}

/** The papers of a pool that a reader has had, one bit per place in the pool (see ReadersRepo.received). */
export class PapersHad {
  constructor(
    private readonly places: ReadonlyMap<string, number>,
    /** Places 0-30 of the pool, then 31-61 (ranking's PlacesHad). */
    readonly lo: number,
    readonly hi: number,
  ) {}
  has(paperId: string): boolean {
    const k = this.places.get(paperId);
    if (k === undefined) return false;
    return k < 31 ? ((this.lo >>> k) & 1) === 1 : ((this.hi >>> (k - 31)) & 1) === 1;
  }
}

/** Who an edition targets, as stored on it: see editions.audience_at and editions.due_at. */
export interface Audience {
  id: number;
  frequency: Frequency;
  forced: boolean;
  /** Everyone confirmed by then. */
  audienceAt: Date | null;
  /** Readers whose next_send_at has come by this instant (and not longer ago than the catch-up window). */
  dueAt: Date | null;
}

/**
 * Whether an audience's pages are a keyset (by id, so the next page can be read before this one is
 * assigned), or, for due readers only, whoever is still due (the next page is read once this one is).
 */
export const pagesByKeyset = (e: Pick<Audience, 'dueAt' | 'audienceAt'>) => !(e.dueAt && !e.audienceAt);
