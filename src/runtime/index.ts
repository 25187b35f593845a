import { join, resolve } from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import { maskAddresses } from '../domain/redact.js';
import { jobFields } from '../jobs/job-context.js';
import { checkDigestParts } from '../digest/digest-parts.js';
import { useTemplateOverrides } from '../digest/templates.js';
import { createSendPace } from './send-pace.js';
import type { Cluster, Redis } from 'ioredis';
import { redisClient } from './redis.js';
import type { Config, ResolvedConfig } from '../config.js';
import { connectDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { createRateLimits, type RateLimits } from '../db/rate-limits.js';
import { createRepos, type Repos } from '../db/repos.js';
import { seedIfEmpty } from './seed.js';
import { createTokens } from '../domain/tokens.js';
import { createDigestComposer } from '../jobs/compose-digest.js';
import type { Deps } from '../jobs/deps.js';
import { finishEdition } from '../jobs/finish-edition.js';
import { createProducer, type Producer, type QueueBackend } from '../jobs/queues.js';
import { createSendPipeline, type SendPipeline } from '../jobs/send-batch.js';
import { startDevCatcher } from '../mail/dev-catcher.js';
import { envelopeAddress, type Mailer } from '../mail/mailer.js';
import { createSmtpMailer } from '../mail/smtp-mailer.js';
import { createFetcher, type Fetcher } from '../sources/fetcher.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
import { createPgQueueBackend, createRedisBackend } from './queue-backend.js';
import { createMetrics, type Metrics } from './metrics.js';
import { resolveSecrets } from './secrets.js';

export interface Runtime {
  config: ResolvedConfig;
  log: Logger;
  database: Database;
  repos: Repos;
  /** Counters shared by every process (per-inbox signups, confirmation ceiling, data links). */
  limits: RateLimits;
  backend: QueueBackend;
  producer: Producer;
  /** Prometheus metrics of this process and of the installation (see metrics.ts). */
  metrics: Metrics;
  /** Present when this process sends mail. */
  mailer: Mailer | null;
  /** The digest send pipeline, when this process sends mail. */
  pipeline: SendPipeline | null;
  deps: Deps;
  /** Folder of the dev catcher's messages when SMTP_URL is unset. */
  inboxDir: string | null;
  generatedAdminToken: string | null;
  generatedMetricsToken: string | null;
  embedded: { postgres: boolean; queue: boolean; mail: boolean };
  close(): Promise<void>;
}

/** Opens Postgres: DATABASE_URL, or the embedded server on DATA_DIR (attached to or started). */
export async function openDatabase(config: Config, log: (m: string) => void): Promise<{ database: Database; embedded: EmbeddedDatabase | null }> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, log);
  const database = connectDatabase(config.databaseUrl ?? embedded!.url, { max: 10 });
  if (config.databaseDirectUrl) {
    // Behind a transaction-mode pooler the migrations' session lock needs a connection of its own.
    const direct = connectDatabase(config.databaseDirectUrl, { max: 1 });
    try {
      await migrateDatabase(direct.pool);
    } finally {
      await direct.close();
    }
  } else await migrateDatabase(database.pool);
  return { database, embedded };
}

/** The feed fetcher: names the project, and keeps to one request every 3 s on the arXiv API host. */
export function createFeedFetcher(config: Pick<ResolvedConfig, 'publicUrl' | 'ingest'>): Fetcher {
  const arxivHost = new URL(config.ingest.arxivApiUrl).host;
  return createFetcher({
    userAgent: `papermail/0.1 (self-hosted paper digest; +${config.publicUrl})`,
    timeoutMs: config.ingest.timeoutMs,
    retries: config.ingest.retries,
    spacingMs: (host) => (host === arxivHost ? 3000 : 0),
  });
}

/** What a CLI gets: the database and its repositories, closed with the embedded server if it started one. */
export async function openCliRuntime(config: Config, log: (m: string) => void = () => {}) {
  const { database, embedded } = await openDatabase(config, log);
  return {
    database,
    repos: createRepos(database.db, config.secret ?? 'cli-without-secret-hashes-nothing-it-compares', { namedStatements: !config.databaseDirectUrl }),
    fetcher: createFeedFetcher(config),
    close: async () => {
      await database.close();
      await embedded?.stop();
    },
  };
}

const NOT_SENDING: Mailer = {
  sendRaw: async () => ({ ok: false, class: 'transport', response: 'this process does not send mail', signature: 'NOMAIL' }),
  verify: async () => {},
  close: async () => {},
};

/**
 * The service's logger: JSON lines; inside a job each line names the job (queue, jobId); no line holds a
 * whole address (SMTP answers quote them).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const mask = (v: unknown) => (typeof v === 'string' && v.includes('@') ? maskAddresses(v) : v);
  return pino({
    level,
    base: undefined,
    mixin: () => jobFields(),
    formatters: { log: (fields) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, mask(v)])) },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map(mask) as Parameters<typeof method>);
      },
    },
  }, destination);
}

/**
 * The one composition root, for the service, the workers and the CLIs: chooses every side effect from
 * Config (embedded or external Postgres, BullMQ on Redis or on Postgres, real SMTP or the dev catcher,
 * the clock) and wires them into the ports each part asks for.
 */
export async function createRuntime(base: Config, opts: { sendsMail: boolean; seed: boolean; now?: () => Date; logDestination?: DestinationStream }): Promise<Runtime> {
  const log = createLogger(base.logLevel, opts.logDestination);
  // A broken override stops the start here, naming its file and line, before anything is opened.
  if (base.templatesDir) {
    log.info({ templates: await useTemplateOverrides(base.templatesDir) }, `templates from ${base.templatesDir}`);
    await checkDigestParts();
  }
  const { config, generatedAdminToken, generatedMetricsToken } = await resolveSecrets(base);
  const now = opts.now ?? (() => new Date());
  const closers: (() => Promise<unknown>)[] = [];
  let closing = false;
  try {
    const { database, embedded } = await openDatabase(config, (m) => log.info(m));
    if (embedded) closers.unshift(() => embedded.stop());
    closers.unshift(() => database.close());
    // rate-limiter-flexible prepares its statements by name: behind a transaction-mode pooler its counters
    // (signup limits, the send pace) take a small direct pool of their own.
    const direct = config.databaseDirectUrl ? connectDatabase(config.databaseDirectUrl, { max: 4 }) : null;
    if (direct) closers.unshift(() => direct.close());
    const counterPool = direct?.pool ?? database.pool;
    const onQueueError = (err: Error) => void (closing ? undefined : log.warn({ err: err.message }, 'queue connection error'));
    const backend = config.redisUrl
      ? createRedisBackend(config.redisUrl, config.queuePrefix, onQueueError, config.redisCluster)
      : createPgQueueBackend(config.databaseDirectUrl ?? database.url, config.queuePrefix === 'papermail' ? 'bullmq' : config.queuePrefix.replace(/[{}]/g, ''), onQueueError);
    closers.unshift(() => backend.close());
    const producer = createProducer(backend);
    const metrics = createMetrics({ pool: database.pool, queues: producer.queues as unknown as Record<string, import('bullmq').Queue>, sendWindow: config.send.poolSize });
    const repos = createRepos(database.db, config.secret, { namedStatements: !config.databaseDirectUrl });
    const limits = createRateLimits(counterPool, config.secret, { mailboxPerDay: config.signup.mailboxPerDay, confirmsPerHour: config.signup.confirmsPerHour });
    const tokens = createTokens(config.secret, () => now().getTime());
    /** Queues the alert of an edition's pause or resume (once per event); a queue that does not answer is logged, not fatal. */
    const alert = (editionId: number, event: 'paused' | 'resumed', detail: string) =>
      producer.alert({ kind: 'alert', editionId, event, detail }, `${editionId}-${event}-${now().getTime()}`).catch((err: Error) => log.warn({ editionId, err: err.message }, 'could not queue the alert'));
    const inboxDir = config.smtpUrl ? null : join(resolve(config.dataDir), 'inbox');
    let mailer: Mailer | null = null;
    let pipeline: SendPipeline | null = null;
    if (opts.sendsMail) {
      let smtpUrl = config.smtpUrl;
      if (!smtpUrl) {
        const catcher = await startDevCatcher(inboxDir!);
        closers.unshift(() => catcher.close());
        smtpUrl = catcher.url;
      }
      // The provider's rate, shared by every worker: digests, retries and transactional mail all wait for it.
      let paceRedis: Redis | Cluster | null = null;
      if (config.redisUrl && (config.send.rate || config.send.ratePerDomain)) {
        const client = redisClient(config.redisUrl, config.redisCluster, { maxRetriesPerRequest: 1 });
        client.on('error', () => {});
        closers.unshift(async () => void client.disconnect());
        paceRedis = client;
      }
      const pace = createSendPace({ rate: config.send.rate, perDomain: config.send.ratePerDomain, redis: paceRedis, pool: counterPool, prefix: config.queuePrefix });
      const sender = createSmtpMailer(smtpUrl, { poolSize: config.send.poolSize, dkim: config.dkim, pace });
      closers.unshift(() => sender.close());
      mailer = sender;
      pipeline = createSendPipeline(
        {
          store: {
            ...repos.deliveries,
            // The breaker opened: the edition pauses, its first probe is due after the cooldown, and a person is told.
            pause: async (id, reason, stormSignature) => {
              const paused = await repos.editions.pause(id, reason, { kind: 'breaker', stormSignature, probeInSeconds: config.send.pause.cooldownSeconds });
              if (paused) await alert(id, 'paused', reason);
              return paused;
            },
            finish: (id) => finishEdition({ repos, producer, log, config }, id).then(() => {}),
          },
          mailer: sender,
          compose: createDigestComposer({ template: repos.editions.template, tokens, publicUrl: config.publicUrl, mailFrom: config.mailFrom, secret: config.secret }),
          log,
          now,
          envelopeFrom: envelopeAddress(config.mailFrom),
          observe: metrics.observeSend,
          observePace: metrics.observePace,
        },
        {
          lanes: config.send.poolSize,
          claimChunk: 100,
          leaseSeconds: config.send.leaseSeconds,
          maxAttempts: config.send.maxAttempts,
          retryBaseMs: config.send.retryBaseMs,
          transportDelayMs: config.send.transportRetrySeconds * 1000,
          resultGroupMs: config.send.resultGroupMs,
          breaker: {
            consecutive: config.send.pause.afterFailures,
            transportRate: config.send.pause.failureRate,
            stormRate: config.send.pause.stormRate,
            window: config.send.pause.window,
            minSample: 20,
          },
        },
      );
    }
    const deps: Deps = {
      config,
      repos,
      producer,
      mailer: mailer ?? NOT_SENDING,
      tokens,
      fetcher: createFeedFetcher(config),
      confirmations: limits.confirmations,
      log,
      now,
    };
    if (opts.seed && (await seedIfEmpty(repos.papers))) log.info('seeded an empty catalogue from seeds/papers.json');
    return {
      config,
      log,
      database,
      repos,
      limits,
      backend,
      producer,
      metrics,
      mailer,
      pipeline,
      deps,
      inboxDir,
      generatedAdminToken,
      generatedMetricsToken,
      embedded: { postgres: Boolean(embedded), queue: !config.redisUrl, mail: !config.smtpUrl },
      close: async () => {
        closing = true;
        for (const c of closers) await c().catch((err) => log.warn({ err: String(err) }, 'error while closing'));
      },
    };
  } catch (err) {
    for (const c of closers) await c().catch(() => {});
    throw err;
  }
}
