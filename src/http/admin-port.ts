import type { Readable } from 'node:stream';
import type { SuppressionRow } from '../domain/bounces.js';
import type { EditionEngagement, EditionStats, Frequency, Ledger } from '../domain/edition.js';
import type { Paper, SourceRun } from '../domain/paper.js';
import type { Subscriber } from '../domain/reader.js';
import type { CsvProblem } from '../domain/subscriber-csv.js';

/** The largest CSV an import takes (about 50,000 rows). */
export const IMPORT_BODY_LIMIT = 10 * 1024 * 1024;

export type ImportMode = 'double-opt-in' | 'consented';

export interface ImportReport {
  mode: ImportMode;
  /** Rows that became active readers (consented mode). */
  imported: number;
  /** Rows that were sent a confirmation mail (double opt-in). */
  invited: number;
  /** Rows left alone: already subscribed, suppressed, or mailed a confirmation a moment ago. */
  skipped: { line: number; email: string; reason: string }[];
  /** Rows that could not be read, by line. */
  problems: CsvProblem[];
}

type PreviewOutcome = { ok: true; html: string; subject: string; papers: number; pool: number } | { ok: false; error: string };

/** An edition paused now, as the console's banner and the API tell of it. */
interface PausedEdition {
  id: number;
  frequency: Frequency;
  period: string;
  reason: string | null;
  kind: string | null;
  nextProbeAt: Date | null;
}

/** A reader's deliveries, as the console shows them. */
type ReaderDelivery = { editionId: number; frequency: Frequency; period: string; status: string; attempts: number; sentAt: Date | null; lastResponse: string | null };

/**
 * What an operator can do and see, for the console's forms and the JSON admin API alike, so that the two
 * never drift apart. Bound by the runtime (src/runtime/admin-operations.ts) to the repositories, the queue
 * and the edition processors.
 */
export interface AdminPort {
  /** Starts (or tops up) the current edition of a frequency: every confirmed reader who has not had it gets it. */
  sendNow(frequency: Frequency, force: boolean): Promise<{ id: number; created: boolean; period: string; queued: boolean }>;
  /** Resumes a paused edition by hand; its build is queued (recovery queues it should the queue be down). */
  resume(id: number): Promise<{ outcome: 'resumed' | 'not paused' | 'unknown'; queued: boolean }>;
  /** Pauses an edition by hand: nothing more is claimed until an operator resumes it (the breaker does not). */
  pause(id: number): Promise<'paused' | 'not sending' | 'unknown'>;
  /** Queues an edition's failed rows again for readers who may be mailed now. */
  resendFailed(id: number): Promise<{ outcome: 'done' | 'unknown'; requeued: number; queued: boolean }>;
  /** The next digest, as HTML, for one reader when `email` is given; nothing is stored. */
  preview(frequency: Frequency, email?: string): Promise<PreviewOutcome>;
  /** Queues an ingest of every source now; false when the queue did not answer. */
  ingestNow(): Promise<boolean>;
  /** Imports readers from CSV (double opt-in mails each a confirmation; `consented` records the statement). */
  importCsv(text: string, mode: ImportMode, statement: string): Promise<ImportReport | { error: string }>;
  /** An edition's ledger, and the readers it targets who have no row yet. */
  ledger(id: number): Promise<(Ledger & { missing: number; missingIds: number[]; balanced: boolean }) | null>;
  editions: {
    list(opts: { limit: number; before?: number }): Promise<EditionStats[]>;
    stats(id: number): Promise<EditionStats | null>;
    paused(): Promise<PausedEdition[]>;
    /** An edition's final failures grouped by the server's answer. */
    failuresByAnswer(id: number): Promise<{ answer: string; count: number; example: string }[]>;
    /** What its readers did about it (persons' POSTs only): how many acted, the papers chosen most. */
    engagement(id: number): Promise<EditionEngagement>;
  };
  papers: {
    count(): Promise<number>;
    list(opts: { limit: number; since?: Date }): Promise<Paper[]>;
    byIds(ids: string[]): Promise<Paper[]>;
    /** Each paper source's last fetch. */
    sourceRuns(): Promise<SourceRun[]>;
  };
  readers: {
    counts(): Promise<Record<Subscriber['status'], number>>;
    search(opts: { limit: number; after?: number; search?: string; status?: Subscriber['status'] }): Promise<Subscriber[]>;
    byId(id: number): Promise<Subscriber | null>;
    deliveries(id: number): Promise<ReaderDelivery[]>;
    /** Every reader matching a search, as CSV, a page at a time. */
    csv(opts: { search?: string; status?: Subscriber['status'] }): Readable;
  };
  suppressions: {
    list(opts: { limit: number; before?: string; search?: string }): Promise<SuppressionRow[]>;
    /** Lifts a suppression (not an erased reader's); false when there was none. */
    lift(email: string): Promise<boolean>;
  };
}


/** What the console and the API show of a reader. */
export function readerView(s: Subscriber) {
  const { emailHash: _hash, ...rest } = s;
  return rest;
}
