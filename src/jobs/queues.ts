import type { Processor, Queue, Worker, WorkerOptions } from 'bullmq';
import type { Frequency } from '../domain/edition.js';

/** Queue names. Transactional mail has its own queue so a big fan-out never delays a confirmation. */
export const QUEUE = { digest: 'digest', send: 'send', transactional: 'transactional', ingest: 'ingest' } as const;

/** Jobs carry ids, never data: processors re-read their rows. */
export type DigestJob =
  | { kind: 'scheduled'; frequency: Frequency }
  // `shard`: the first reader id of the range this job assigns (edition_shards); the whole edition without.
  | { kind: 'build'; editionId: number; shard?: number }
  | { kind: 'due' }
  | { kind: 'recover' }
  // Daily: the network traces of readers who never confirmed, or left, forgotten after RETENTION_DAYS.
  | { kind: 'retention' };
export type SendJob = { editionId: number; from: number; to: number };
export type TransactionalJob = { kind: 'confirm' | 'welcome' | 'data-link'; subscriberId: number } | AlertJob;
/** A person is told: an edition paused (the breaker opened, or the complaint guard) or resumed by itself. */
export type AlertJob = { kind: 'alert'; editionId: number; event: 'paused' | 'resumed'; detail: string; channel?: AlertChannel };
/**
 * Each way of telling is its own job, retried on its own: the relay an alert is about must never hold back
 * the webhook (nor a webhook that is down the mail). A job without a channel (queued before) does both.
 */
export type AlertChannel = 'mail' | 'webhook';
const ALERT_CHANNELS: readonly AlertChannel[] = ['mail', 'webhook'];
/** Fetch every source of PAPER_SOURCES (scheduled), or one entry of it. */
export type IngestJob = { kind: 'all' } | { kind: 'feed'; entry: string };

/** BullMQ on Redis or on Postgres, behind one door: the jobs code never knows which (see runtime/queue-backend.ts). */
export interface QueueBackend {
  readonly kind: 'redis' | 'postgres';
  queue<T>(name: string): Queue<T>;
  worker<T>(name: string, processor: Processor<T>, opts?: Omit<WorkerOptions, 'connection'>): Worker<T>;
  /** Resolves when the backend answers within the timeout, rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** What the API and the processors may ask of the queues. Every call gives up after ENQUEUE_TIMEOUT_MS. */
export interface Producer {
  /** Queues an edition's build; `key` collapses repeated calls (recovery) into one job. */
  buildEdition(editionId: number, key?: string): Promise<void>;
  /** Queues one build job per shard (by its first reader id), for any worker to take. */
  buildShards(editionId: number, shards: number[], key: string): Promise<void>;
  sendRanges(editionId: number, ranges: [number, number][]): Promise<void>;
  /** Re-sends a range later; `key` makes repeated calls for the same retry collapse into one job. */
  sendLater(editionId: number, range: [number, number], delayMs: number, key: string): Promise<void>;
  /** Adds a transactional mail under a stable job id: relaying it twice adds it once. */
  /** Queues transactional mails, each under its own job id (a job id already queued is not queued twice). */
  sendTransactional(jobs: { job: TransactionalJob; jobId: string }[]): Promise<void>;
  /** Fetches every source now (an operator's request), beside the schedule. */
  ingestNow(key: string): Promise<void>;
  /** Tells a person (ALERT_EMAIL, ALERT_WEBHOOK_URL) once per event: `key` names the event. */
  alert(job: AlertJob, key: string): Promise<void>;
  readonly queues: { digest: Queue<DigestJob>; send: Queue<SendJob>; transactional: Queue<TransactionalJob>; ingest: Queue<IngestJob> };
}

/** How long a request or a job waits for the queue before it gives up (and leaves the work to recovery). */
const ENQUEUE_TIMEOUT_MS = 3000;

const keep = { removeOnComplete: { count: 1000, age: 24 * 3600 }, removeOnFail: { count: 5000 } };

/** Rejects when `p` has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Creates the queues on a backend and the typed ways to add jobs to them. Job ids never contain ':'. */
export function createProducer(backend: QueueBackend, timeoutMs = ENQUEUE_TIMEOUT_MS): Producer {
  const digest = backend.queue<DigestJob>(QUEUE.digest);
  const send = backend.queue<SendJob>(QUEUE.send);
  const transactional = backend.queue<TransactionalJob>(QUEUE.transactional);
  const ingest = backend.queue<IngestJob>(QUEUE.ingest);
  const retrying = { attempts: 8, backoff: { type: 'exponential', delay: 2000 } };
  const timed = <T>(p: Promise<T>) => withTimeout(p, timeoutMs, 'The queue').then(() => {});
  return {
    queues: { digest, send, transactional, ingest },
    buildEdition: (editionId, key = String(Date.now())) =>
      timed(digest.add('build', { kind: 'build', editionId }, { ...keep, ...retrying, jobId: `build-${editionId}-${key}` })),
    buildShards: (editionId, shards, key) =>
      timed(
        digest.addBulk(
          shards.map((shard) => ({ name: 'build', data: { kind: 'build', editionId, shard }, opts: { ...keep, ...retrying, jobId: `build-${editionId}-s${shard}-${key}` } })),
        ),
      ),
    sendRanges: (editionId, ranges) =>
      timed(
        send.addBulk(
          ranges.map(([from, to]) => ({ name: 'send', data: { editionId, from, to }, opts: { ...keep, ...retrying, jobId: `send-${editionId}-${from}-${to}` } })),
        ),
      ),
    sendLater: (editionId, [from, to], delayMs, key) =>
      timed(send.add('send', { editionId, from, to }, { ...keep, ...retrying, delay: Math.max(0, delayMs), jobId: `send-${editionId}-${from}-${to}-${key}` })),
    sendTransactional: async (jobs) =>
      void (await timed(transactional.addBulk(jobs.map(({ job, jobId }) => ({ name: job.kind, data: job, opts: { ...keep, attempts: 8, backoff: { type: 'exponential' as const, delay: 2000 }, jobId } }))))),
    ingestNow: (key) => timed(ingest.add('ingest', { kind: 'all' }, { ...keep, attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, jobId: `ingest-now-${key}` })),
    // An alert is often about the relay it must go through: it keeps trying for hours, not minutes.
    alert: (job, key) =>
      timed(
        transactional.addBulk(
          ALERT_CHANNELS.map((channel) => ({ name: 'alert', data: { ...job, channel }, opts: { ...keep, attempts: 12, backoff: { type: 'exponential' as const, delay: 5000 }, jobId: `alert-${key}-${channel}` } })),
        ),
      ),
  };
}
