import type { Edition, EditionStats, Frequency, Ledger, RenderRow, Shard } from '../domain/edition.js';
import type { Paper } from '../domain/paper.js';
import type { Choice } from '../domain/ranking.js';
import type { Assignment, Audience, PapersHad, Subscriber, Target } from '../domain/reader.js';
import type { BounceSource } from '../domain/bounces.js';

/**
 * The stores as the processors see them, in domain words. No processor takes one whole: each declares, in
 * its own file, the few methods it uses (`Pick<EditionStore, 'byId' | …>`), and the runtime binds them to
 * the repositories (src/db), which satisfy these shapes without knowing them.
 */

/** An edition's lifecycle. */
export interface EditionStore {
  /** The edition of this period, created first; `forced` always creates an extra one. */
  ensure(frequency: Frequency, period: string, forced: boolean): Promise<{ edition: Edition; created: boolean }>;
  byId(id: number): Promise<Edition | null>;
  /** Fixes the pool and starts assigning; only the first builder wins. */
  publishPool(id: number, paperIds: string[], at: Date): Promise<boolean>;
  /** Widens the audience: everyone confirmed by a time (an operator's send), or the readers due at one (the tick). */
  target(id: number, audience: { everyoneAt: Date } | { dueAt: Date }): Promise<void>;
  markAssigned(id: number): Promise<void>;
  markEmpty(id: number, note: string, at: Date): Promise<void>;
  hasOpenRows(id: number): Promise<boolean>;
  finishIfDone(id: number): Promise<boolean>;
  latestSent(frequency?: Frequency): Promise<number | null>;
  unfinished(staleSeconds: number): Promise<{ id: number; status: Edition['status']; stale: boolean }[]>;
}

/** An edition's assignment shards (ranges of reader ids). */
export interface ShardStore {
  beat(id: number, shard?: number): Promise<void>;
  shards(id: number): Promise<Shard[]>;
  planShards(id: number, starts: number[]): Promise<Shard[]>;
  claimShards(id: number, staleSeconds: number): Promise<number[]>;
  releaseShards(id: number, shards: number[]): Promise<void>;
  /** Marks a shard done; how many of the edition's shards are not. */
  shardDone(id: number, shard: number): Promise<number>;
}

/** The breaker's half-open state: paused editions and their probes. */
export interface PauseStore {
  resume(id: number): Promise<'resumed' | 'not paused' | 'unknown'>;
  takeDueProbes(holdSeconds: number): Promise<{ id: number; signature: string | null; probes: number }[]>;
  probeFailed(id: number, baseSeconds: number, maxSeconds: number): Promise<Date | null>;
  paused(): Promise<{ id: number; nextProbeAt: Date | null }[]>;
}

/** An edition's rendered parts. */
export interface RenderStore {
  renderKeys(editionId: number): Promise<Map<string, number>>;
  addRender(editionId: number, r: Omit<RenderRow, 'id'>): Promise<number>;
}

export interface ReportStore {
  ledger(id: number): Promise<Ledger | null>;
  stats(id: number): Promise<EditionStats | null>;
}

/** Readers as an edition's audience. */
export interface AudienceStore {
  targets(e: Audience, afterId: number, limit: number, catchUpSeconds: number, upToId?: number | null): Promise<Target[]>;
  shardStarts(frequency: Frequency, every: number): Promise<number[]>;
  anyDue(frequency: Frequency, when: Date): Promise<boolean>;
  skipMissed(editionId: number, frequency: Frequency, when: Date, catchUpSeconds: number): Promise<number>;
  skipDue(editionId: number, frequency: Frequency, when: Date, reason: string): Promise<number>;
  received(subscriberIds: number[], paperIds: string[], since?: Date): Promise<Map<number, PapersHad>>;
  assign(editionId: number, rows: Assignment[]): Promise<number[]>;
}

/** Rows still to send: the range that holds them, and when the earliest is due. */
export interface OutstandingRows {
  outstanding(editionId: number, leaseSeconds: number): Promise<{ from: number; to: number; dueInMs: number } | null>;
}

export interface PaperReader {
  byIds(ids: string[]): Promise<Paper[]>;
  selectPool(window: { days: number; now: Date }, limit: number): Promise<Paper[]>;
}

export interface ChoiceReader {
  /** The newest choices of each reader, with each paper's title and vector (`vectors` caches them across calls). */
  choices(subscriberIds: number[], vectors: Map<string, { title: string; vector: Record<string, number> | null }>): Promise<Map<number, Choice[]>>;
}

export interface ReaderRecords {
  byId(id: number): Promise<Subscriber | null>;
  forgetNetworkTraces(days: number): Promise<number>;
}

export interface SuppressionWriter {
  suppress(email: string, reason: string, detail: string | null, source?: BounceSource): Promise<void>;
}

export interface SourceRunLog {
  succeeded(source: string, r: { seen: number; added: number; updated: number }): Promise<void>;
  failed(source: string, error: string): Promise<void>;
}
