import type { ResolvedConfig } from '../config.js';
import type { Repos } from '../db/repos.js';
import type { Frequency } from '../domain/edition.js';
import type { Tokens } from '../domain/tokens.js';
import type { Templates } from '../digest/templates.js';
import { buildEdition, type BuildPort } from '../jobs/build-edition.js';
import { deliverDue } from '../jobs/deliver-due.js';
import { finishEdition } from '../jobs/finish-edition.js';
import { runIngest } from '../jobs/ingest.js';
import type { Logger } from '../jobs/logger.js';
import type { IngestJob, Producer } from '../jobs/queues.js';
import { probePaused, recoverEditions } from '../jobs/recover.js';
import { forgetStaleTraces } from '../jobs/retention.js';
import type { SendPipeline } from '../jobs/send-batch.js';
import { createSendAlert } from '../jobs/send-alert.js';
import { createComplaintGuard } from '../jobs/complaint-guard.js';
import { createSendTransactional } from '../jobs/send-transactional.js';
import { startEdition, type StartPort } from '../jobs/start-edition.js';
import type { Processors } from '../jobs/worker.js';
import type { Mailer } from '../mail/mailer.js';
import type { Fetcher } from '../sources/fetcher.js';

/** What every edition processor is bound from: the stores, the queue, the settings, a logger and the clock. */
export interface EditionParts {
  repos: Repos;
  producer: Producer;
  config: ResolvedConfig;
  log: Logger;
  now: () => Date;
  templates: Templates;
}

/** The builder's port, bound to the repositories. */
export const buildPortOf = ({ repos, producer, config, log, now, templates }: EditionParts): BuildPort => ({
  editions: repos.editions,
  shards: repos.editionShards,
  renders: repos.renders,
  readers: repos.readers,
  papers: repos.papers,
  feedback: repos.feedback,
  deliveries: repos.deliveries,
  producer,
  config,
  log,
  now,
  templates,
});

/** The port of an operator's send. */
export const startPortOf = ({ repos, producer, config, now }: Pick<EditionParts, 'repos' | 'producer' | 'config' | 'now'>): StartPort => ({ editions: repos.editions, producer, config, now });

const NOT_SENDING: Mailer = {
  sendRaw: async () => ({ ok: false, class: 'transport', response: 'this process does not send mail', signature: 'NOMAIL' }),
  verify: async () => {},
  close: async () => {},
};

/**
 * Every processor, bound to its own port. The workers dispatch to these; a test or a benchmark binds them
 * with a clock of its own (`{ ...runtime, now }`).
 */
export function bindJobs(parts: EditionParts & { mailer: Mailer | null; tokens: Tokens; fetcher: Fetcher; limits: { confirmations: { wait(): Promise<number> } } }) {
  const { repos, producer, config, log, now, tokens, fetcher, templates } = parts;
  const mailer = parts.mailer ?? NOT_SENDING;
  const build = (editionId: number, opts: { fixPool?: boolean; shard?: number } = {}) => buildEdition(buildPortOf(parts), editionId, opts);
  const finish = (id: number) => finishEdition({ editions: repos.editions, readers: repos.readers, producer, log, config }, id);
  const due = { editions: repos.editions, readers: repos.readers, build, config, log, now };
  return {
    build,
    finish,
    start: (frequency: Frequency, force: boolean) => startEdition(startPortOf(parts), frequency, force),
    deliverDue: (frequencies?: readonly Frequency[], opts?: { buildNow?: boolean }) => deliverDue(due, frequencies, opts),
    recover: () => recoverEditions({ editions: repos.editions, readers: repos.readers, deliveries: repos.deliveries, producer, finish, config, now }),
    probePaused: (probe: SendPipeline['probe']) => probePaused({ pauses: repos.pauses, mailer, producer, config, log }, probe),
    retention: () => forgetStaleTraces({ readers: repos.subscribers, config, log }),
    ingest: (job: IngestJob) => runIngest({ papers: repos.papers, sourceRuns: repos.sourceRuns, fetcher, config, log, now }, job),
    transactional: createSendTransactional({
      readers: repos.subscribers,
      editions: repos.editions,
      suppressions: repos.suppressions,
      confirmations: parts.limits.confirmations,
      mailer,
      tokens,
      templates,
      config,
      log,
      now,
    }),
    alert: createSendAlert({ reports: repos.reports, pauses: repos.pauses, mailer, config, log }),
    guardComplaints: createComplaintGuard({ complaintCounts: (ids) => repos.reports.complaintCounts(ids), pause: (id, reason, opts) => repos.pauses.pause(id, reason, opts), producer, config, log, now }),
  };
}

export type Jobs = ReturnType<typeof bindJobs>;

/** The queues' processors: the jobs, and the send pipeline of a process that sends mail. */
export function processorsOf(jobs: Jobs, pipeline: SendPipeline): Processors {
  return {
    scheduled: (frequency) => jobs.deliverDue([frequency], { buildNow: true }),
    build: (editionId, opts) => jobs.build(editionId, opts),
    due: () => jobs.deliverDue(),
    retention: jobs.retention,
    // Each sweep also holds every edition being sent against the complaint guard (complaints also arrive by the bounces CLI).
    recover: async () => ({ ...(await jobs.recover()), pausedForComplaints: (await jobs.guardComplaints()).length, resumed: await jobs.probePaused(pipeline.probe) }),
    sendBatch: (job) => pipeline.sendBatch(job),
    transactional: jobs.transactional,
    alert: jobs.alert,
    ingest: jobs.ingest,
  };
}
