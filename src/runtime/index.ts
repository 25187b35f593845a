import { join, resolve } from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import { checkDigestParts } from '../digest/digest-parts.js';
import { BUILT_IN_TEMPLATES, loadTemplates, type Templates } from '../digest/templates.js';
import type { Config, ResolvedConfig } from '../config.js';
import { connectDatabase, type Database } from '../db/client.js';
import { createRateLimits, type RateLimits } from '../db/rate-limits.js';
import { createRepos, type Repos } from '../db/repos.js';
import { createTokens, type Tokens } from '../domain/tokens.js';
import { createProducer, type Producer, type QueueBackend } from '../jobs/queues.js';
import type { SendPipeline } from '../jobs/send-batch.js';
import type { Mailer } from '../mail/mailer.js';
import type { Fetcher } from '../sources/fetcher.js';
import { createFeedFetcher, openDatabase } from './database.js';
import { bindJobs, type Jobs } from './jobs.js';
import { createLogger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createPgQueueBackend, createRedisBackend } from './queue-backend.js';
import { resolveSecrets } from './secrets.js';
import { seedIfEmpty } from './seed.js';
import { openSending } from './sending.js';

/** What every process has: settings, a logger, Postgres and its stores, the shared limits, the clock. */
export interface CoreRuntime {
  config: ResolvedConfig;
  log: Logger;
  database: Database;
  repos: Repos;
  /** Counters shared by every process (per-inbox signups, confirmation ceiling, data links). */
  limits: RateLimits;
  tokens: Tokens;
  fetcher: Fetcher;
  /** The clock every part reads. */
  now: () => Date;
  /** The templates every mail and web version is rendered with (TEMPLATES_DIR's overrides among them). */
  templates: Templates;
  generatedAdminToken: string | null;
  generatedMetricsToken: string | null;
  embedded: { postgres: boolean; queue: boolean; mail: boolean };
  close(): Promise<void>;
}

/** A service process (API, worker, or both): the core, the queue, metrics, and the sending side when it sends. */
export interface Runtime extends CoreRuntime {
  backend: QueueBackend;
  producer: Producer;
  /** Prometheus metrics of this process and of the installation (see metrics.ts). */
  metrics: Metrics;
  /** Present when this process sends mail. */
  mailer: Mailer | null;
  /** The digest send pipeline, when this process sends mail. */
  pipeline: SendPipeline | null;
  /** Every processor, bound to its port (runtime/jobs.ts). */
  jobs: Jobs;
  /** Folder of the dev catcher's messages when SMTP_URL is unset. */
  inboxDir: string | null;
}

/** A command that only reads and writes rows (migrate, seed, ingest, bounces, digest): no queue, no mail. */
export interface CommandRoles {
  command: true;
  /** Where start-up news goes as plain lines (the console); JSON log lines go to standard error. */
  say?: (m: string) => void;
}

/** The service's roles: a worker sends mail; the API does not. */
export interface ServiceRoles {
  command?: false;
  sendsMail: boolean;
  /** Seeds an empty catalogue from seeds/papers.json. */
  seed: boolean;
  /** The clock (a test's or a benchmark's); the wall clock otherwise. */
  now?: () => Date;
  /** Where the log lines go (standard output without it). */
  logDestination?: DestinationStream;
}

/**
 * The one composition root, for the service, the workers, every command and the benchmarks: chooses every
 * side effect from Config (embedded or external Postgres, BullMQ on Redis or on Postgres, real SMTP or the
 * dev catcher, the clock) and wires them into the ports each part asks for. A command gets the core only.
 */
export async function createRuntime(base: Config, roles: CommandRoles): Promise<CoreRuntime>;
export async function createRuntime(base: Config, roles: ServiceRoles): Promise<Runtime>;
export async function createRuntime(base: Config, roles: CommandRoles | ServiceRoles): Promise<CoreRuntime | Runtime> {
  const log = createLogger(base.logLevel, roles.command ? pino.destination(2) : roles.logDestination);
  const say = (roles.command && roles.say) || ((m: string) => log.info(m));
  // A broken override stops the start here, naming its file and line, before anything is opened.
  let templates = BUILT_IN_TEMPLATES;
  if (base.templatesDir) {
    const loaded = await loadTemplates(base.templatesDir);
    await checkDigestParts(loaded.templates);
    log.info({ templates: loaded.names }, `templates from ${base.templatesDir}`);
    templates = loaded.templates;
  }
  const { config, generatedAdminToken, generatedMetricsToken } = await resolveSecrets(base);
  const now = (!roles.command && roles.now) || (() => new Date());
  const closers: (() => Promise<unknown>)[] = [];
  let closing = false;
  const close = async () => {
    closing = true;
    for (const c of closers) await c().catch((err) => log.warn({ err: String(err) }, 'error while closing'));
  };
  try {
    const { database, embedded } = await openDatabase(config, say);
    if (embedded) closers.unshift(() => embedded.stop());
    closers.unshift(() => database.close());
    // rate-limiter-flexible prepares its statements by name: behind a transaction-mode pooler its counters
    // (signup limits, the send pace) take a small direct pool of their own.
    const direct = config.databaseDirectUrl ? connectDatabase(config.databaseDirectUrl, { max: 4 }) : null;
    if (direct) closers.unshift(() => direct.close());
    const counterPool = direct?.pool ?? database.pool;
    const core: CoreRuntime = {
      config,
      log,
      database,
      repos: createRepos(database.db, config.secret, { namedStatements: !config.databaseDirectUrl }),
      limits: createRateLimits(counterPool, config.secret, { mailboxPerDay: config.signup.mailboxPerDay, confirmsPerHour: config.signup.confirmsPerHour }),
      tokens: createTokens(config.secret, () => now().getTime()),
      fetcher: createFeedFetcher(config),
      now,
      templates,
      generatedAdminToken,
      generatedMetricsToken,
      embedded: { postgres: Boolean(embedded), queue: !config.redisUrl, mail: !config.smtpUrl },
      close,
    };
    if (roles.command) return core;

    const onQueueError = (err: Error) => void (closing ? undefined : log.warn({ err: err.message }, 'queue connection error'));
    const backend = config.redisUrl
      ? createRedisBackend(config.redisUrl, config.queuePrefix, onQueueError, config.redisCluster)
      : createPgQueueBackend(config.databaseDirectUrl ?? database.url, config.queuePrefix === 'papermail' ? 'bullmq' : config.queuePrefix.replace(/[{}]/g, ''), onQueueError);
    closers.unshift(() => backend.close());
    const producer = createProducer(backend);
    const metrics = createMetrics({ pool: database.pool, queues: producer.queues as unknown as Record<string, import('bullmq').Queue>, sendWindow: config.send.poolSize });
    const inboxDir = config.smtpUrl ? null : join(resolve(config.dataDir), 'inbox');
    const bind = (mailer: Mailer | null) => bindJobs({ ...core, producer, mailer });
    let jobs = bind(null);
    let sending = null;
    if (roles.sendsMail) {
      const finish = (id: number) => jobs.finish(id);
      sending = await openSending({ ...core, producer, metrics, counterPool, inboxDir, finish, closers });
      jobs = bind(sending.mailer);
    }
    if (roles.seed && (await seedIfEmpty(core.repos.papers))) log.info('seeded an empty catalogue from seeds/papers.json');
    return { ...core, backend, producer, metrics, mailer: sending?.mailer ?? null, pipeline: sending?.pipeline ?? null, jobs, inboxDir };
  } catch (err) {
    for (const c of closers) await c().catch(() => {});
    throw err;
  }
}
