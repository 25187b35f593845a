import type { Job, Processor, Worker, WorkerOptions } from 'bullmq';
import type { ResolvedConfig } from '../config.js';
import type { Frequency } from '../domain/edition.js';
import type { IngestReport } from '../sources/ingest.js';
import { inJob } from './job-context.js';
import type { Logger } from './logger.js';
import { QUEUE, type AlertJob, type DigestJob, type IngestJob, type Producer, type QueueBackend, type SendJob, type TransactionalJob } from './queues.js';
import type { SendPipeline } from './send-batch.js';

export interface Workers {
  readonly workers: Worker[];
  close(): Promise<void>;
}

/** The processors the queues dispatch to, each bound to its own port by the runtime (runtime/jobs.ts). */
export interface Processors {
  /** A frequency's cron time: the period's pool is fixed now; readers still get it at their own hour. */
  scheduled(frequency: Frequency): Promise<unknown>;
  build(editionId: number, opts: { shard?: number }): Promise<void>;
  /** The delivery tick. */
  due(): Promise<unknown>;
  retention(): Promise<number>;
  /** Recovery, then the breaker's probes of what it paused. */
  recover(): Promise<unknown>;
  sendBatch: SendPipeline['sendBatch'];
  transactional(job: Exclude<TransactionalJob, AlertJob>, queued: { job: Job<TransactionalJob>; token?: string }): Promise<string>;
  alert(job: AlertJob): Promise<string>;
  ingest(job: IngestJob): Promise<IngestReport[]>;
}

/** What the workers need besides their processors: their concurrency, a logger, and the queue for retries. */
export interface WorkerPort {
  config: Pick<ResolvedConfig, 'digest' | 'send'>;
  producer: Pick<Producer, 'sendLater'>;
  log: Logger;
}

/** Starts one BullMQ worker per queue, each dispatching to its processor. */
export function startWorkers(run: Processors, queues: QueueBackend, deps: WorkerPort): Workers {
  // Every log line written while a job runs carries its queue and id (the logger's mixin reads them).
  const backend = {
    worker: <T>(name: string, processor: Processor<T>, opts?: Omit<WorkerOptions, 'connection'>) =>
      queues.worker<T>(name, (job, token) => inJob({ queue: name, jobId: job.id }, () => processor(job, token)), opts),
  };
  const digest = backend.worker<DigestJob>(
    QUEUE.digest,
    async (job: Job<DigestJob>) => {
      const d = job.data;
      if (d.kind === 'scheduled') return run.scheduled(d.frequency);
      if (d.kind === 'build') return run.build(d.editionId, { shard: d.shard });
      if (d.kind === 'due') return run.due();
      if (d.kind === 'retention') return run.retention();
      return run.recover();
    },
    { concurrency: deps.config.digest.buildConcurrency },
  );
  const send = backend.worker<SendJob>(
    QUEUE.send,
    async (job: Job<SendJob>) => {
      const { editionId, from, to } = job.data;
      const totals = await run.sendBatch(job.data);
      // Rows waiting for a retry or a transport back-off get one job for the earliest of them.
      if (totals.retryInMs !== null)
        await deps.producer.sendLater(editionId, [from, to], totals.retryInMs, `retry${Date.now() + totals.retryInMs}`);
      if (totals.sent + totals.failed + totals.retry + totals.requeue) deps.log.info({ ...job.data, ...totals }, 'send batch done');
      return totals;
    },
    {
      concurrency: deps.config.send.concurrency,
      // A batch of several hundred messages can take a while; keep the lock well above that.
      lockDuration: 120_000,
    },
  );
  const transactional = backend.worker<TransactionalJob>(
    QUEUE.transactional,
    (job: Job<TransactionalJob>, token?: string) => (job.data.kind === 'alert' ? run.alert(job.data) : run.transactional(job.data, { job, token })),
    { concurrency: 4 },
  );
  const ingest = backend.worker<IngestJob>(QUEUE.ingest, (job: Job<IngestJob>) => run.ingest(job.data), {
    concurrency: 1,
    // Polite pacing and retries make one run long; the lock must outlast it.
    lockDuration: 10 * 60_000,
  });
  const workers = [digest, send, transactional, ingest] as Worker[];
  for (const w of workers) w.on('failed', (job, err) => deps.log.warn({ queue: w.name, jobId: job?.id, err: err.message }, 'job failed'));
  // Errors while closing (connections dropped under a stopping database) are expected, not news.
  for (const w of workers) w.on('error', (err) => void (w.closing ? undefined : deps.log.error({ queue: w.name, err: err.message }, 'worker error')));
  return { workers, close: () => Promise.all(workers.map((w) => w.close())).then(() => {}) };
}

/** Registers the cron schedules (one per frequency, and the ingest) and the recovery sweep; stable ids make this idempotent. */
export async function upsertSchedules(deps: { producer: Pick<Producer, 'queues'>; config: Pick<ResolvedConfig, 'digest' | 'send' | 'ingest'> }): Promise<void> {
  const q = deps.producer.queues.digest;
  for (const frequency of ['daily', 'weekly'] as const) {
    await q.upsertJobScheduler(
      `digest-${frequency}`,
      { pattern: deps.config.digest.cron[frequency], tz: deps.config.digest.tz },
      { name: 'scheduled', data: { kind: 'scheduled', frequency }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }
  // Every hour on the hour (UTC): readers get the current edition when their own local hour comes.
  // Every 5 minutes: every zone (+05:45 included) is served within 5 minutes of its local send time, and a
  // tick that did not run is caught up by the next (readers' due times are stored, not derived from the tick).
  await q.removeJobScheduler('deliver-hourly').catch(() => false);
  await q.upsertJobScheduler('deliver-due', { pattern: '*/5 * * * *', tz: 'UTC' }, { name: 'due', data: { kind: 'due' }, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  const every = deps.config.send.recoverIntervalSeconds * 1000;
  await q.upsertJobScheduler('recover', { every }, { name: 'recover', data: { kind: 'recover' }, opts: { removeOnComplete: 10, removeOnFail: 100 } });
  // A worker that starts picks up what a dead one left, without waiting for the next sweep.
  await q.add('recover', { kind: 'recover' }, { jobId: `recover-start-${Date.now()}`, removeOnComplete: 10, removeOnFail: 100 });
  await q.upsertJobScheduler('retention', { pattern: '17 3 * * *', tz: deps.config.digest.tz }, { name: 'retention', data: { kind: 'retention' }, opts: { removeOnComplete: 10, removeOnFail: 100 } });
  await deps.producer.queues.ingest.upsertJobScheduler(
    'ingest',
    { pattern: deps.config.ingest.cron, tz: deps.config.digest.tz },
    { name: 'ingest', data: { kind: 'all' }, opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 100, removeOnFail: 100 } },
  );
}
