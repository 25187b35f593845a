import type { Job, Processor, Worker, WorkerOptions } from 'bullmq';
import { buildEdition } from './build-edition.js';
import { deliverDue } from './deliver-due.js';
import type { Deps } from './deps.js';
import { runIngest } from './ingest.js';
import { inJob } from './job-context.js';
import { QUEUE, type DigestJob, type IngestJob, type QueueBackend, type SendJob, type TransactionalJob } from './queues.js';
import { probePaused, recoverEditions } from './recover.js';
import type { SendPipeline } from './send-batch.js';
import { createSendAlert } from './send-alert.js';
import { createSendTransactional } from './send-transactional.js';

export interface Workers {
  readonly workers: Worker[];
  close(): Promise<void>;
}

/** Forgets the IPs and browsers of readers who never confirmed or who left, past RETENTION_DAYS. */
async function forgetStaleTraces(deps: Deps): Promise<number> {
  const forgotten = await deps.repos.subscribers.forgetNetworkTraces(deps.config.privacy.retentionDays);
  if (forgotten) deps.log.info({ readers: forgotten, days: deps.config.privacy.retentionDays }, 'network traces of stale signups and leavers forgotten');
  return forgotten;
}

/** Starts one BullMQ worker per queue, each dispatching to its processor. */
export function startWorkers(deps: Deps, queues: QueueBackend, pipeline: SendPipeline): Workers {
  const sendTransactional = createSendTransactional(deps);
  const sendAlert = createSendAlert(deps);
  // Every log line written while a job runs carries its queue and id (the logger's mixin reads them).
  const backend = {
    worker: <T>(name: string, processor: Processor<T>, opts?: Omit<WorkerOptions, 'connection'>) =>
      queues.worker<T>(name, (job, token) => inJob({ queue: name, jobId: job.id }, () => processor(job, token)), opts),
  };
  const digest = backend.worker<DigestJob>(
    QUEUE.digest,
    async (job: Job<DigestJob>) => {
      const d = job.data;
      // The cron time fixes the period's pool; readers still get it at their own hour.
      if (d.kind === 'scheduled') return deliverDue(deps, [d.frequency], { buildNow: true });
      if (d.kind === 'build') return buildEdition(deps, d.editionId, { shard: d.shard });
      if (d.kind === 'due') return deliverDue(deps);
      if (d.kind === 'retention') return forgetStaleTraces(deps);
      // Recovery, then the breaker's probes of what it paused.
      const recovered = await recoverEditions(deps);
      return { ...recovered, resumed: await probePaused(deps, pipeline.probe) };
    },
    { concurrency: deps.config.digest.buildConcurrency },
  );
  const send = backend.worker<SendJob>(
    QUEUE.send,
    async (job: Job<SendJob>) => {
      const { editionId, from, to } = job.data;
      const totals = await pipeline.sendBatch(job.data);
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
    (job: Job<TransactionalJob>, token?: string) => (job.data.kind === 'alert' ? sendAlert(job.data) : sendTransactional(job.data, { job, token })),
    { concurrency: 4 },
  );
  const ingest = backend.worker<IngestJob>(QUEUE.ingest, (job: Job<IngestJob>) => runIngest(deps, job.data), {
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
export async function upsertSchedules(deps: Deps): Promise<void> {
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
