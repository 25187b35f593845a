import type { Queue } from 'bullmq';
import type { Frequency } from '../config.js';
import type { QueueBackend } from '../runtime/queue-backend.js';

/** Queue names. Transactional mail has its own queue so a big fan-out never delays a confirmation. */
export const QUEUE = { digest: 'digest', send: 'send', transactional: 'transactional', ingest: 'ingest' } as const;

/** Jobs carry ids, never data: processors re-read their rows. */
export type DigestJob =
  | { kind: 'scheduled'; frequency: Frequency }
  | { kind: 'build'; editionId: number }
  | { kind: 'due' }
  | { kind: 'recover' };
export type SendJob = { editionId: number; from: number; to: number };
export type TransactionalJob = { kind: 'confirm' | 'welcome'; subscriberId: number };
/** Fetch every source of PAPER_SOURCES (scheduled), or one entry of it. */
export type IngestJob = { kind: 'all' } | { kind: 'feed'; entry: string };

/** What the API and the processors may ask of the queues. */
export interface Producer {
  buildEdition(editionId: number): Promise<void>;
  sendRanges(editionId: number, ranges: [number, number][]): Promise<void>;
  /** Re-sends a range later; `key` makes repeated calls for the same retry collapse into one job. */
  sendLater(editionId: number, range: [number, number], delayMs: number, key: string): Promise<void>;
  sendConfirm(subscriberId: number, stamp: number): Promise<void>;
  sendWelcome(subscriberId: number): Promise<void>;
  readonly queues: { digest: Queue<DigestJob>; send: Queue<SendJob>; transactional: Queue<TransactionalJob>; ingest: Queue<IngestJob> };
}

const keep = { removeOnComplete: { count: 1000, age: 24 * 3600 }, removeOnFail: { count: 5000 } };

/** Creates the queues on a backend and the typed ways to add jobs to them. Job ids never contain ':'. */
export function createProducer(backend: QueueBackend): Producer {
  const digest = backend.queue<DigestJob>(QUEUE.digest);
  const send = backend.queue<SendJob>(QUEUE.send);
  const transactional = backend.queue<TransactionalJob>(QUEUE.transactional);
  const ingest = backend.queue<IngestJob>(QUEUE.ingest);
  const retrying = { attempts: 8, backoff: { type: 'exponential', delay: 2000 } };
  return {
    queues: { digest, send, transactional, ingest },
    async buildEdition(editionId) {
      await digest.add('build', { kind: 'build', editionId }, { ...keep, ...retrying, jobId: `build-${editionId}-${Date.now()}` });
    },
    async sendRanges(editionId, ranges) {
      await send.addBulk(
        ranges.map(([from, to]) => ({
          name: 'send',
          data: { editionId, from, to },
          opts: { ...keep, ...retrying, jobId: `send-${editionId}-${from}-${to}` },
        })),
      );
    },
    async sendLater(editionId, [from, to], delayMs, key) {
      await send.add('send', { editionId, from, to }, { ...keep, ...retrying, delay: Math.max(0, delayMs), jobId: `send-${editionId}-${from}-${to}-${key}` });
    },
    async sendConfirm(subscriberId, stamp) {
      await transactional.add('confirm', { kind: 'confirm', subscriberId }, { ...keep, ...retrying, jobId: `confirm-${subscriberId}-${stamp}` });
    },
    async sendWelcome(subscriberId) {
      // One welcome per subscriber id: confirming twice does not greet twice.
      await transactional.add('welcome', { kind: 'welcome', subscriberId }, { ...keep, ...retrying, jobId: `welcome-${subscriberId}` });
    },
  };
}
