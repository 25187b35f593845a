import { ConfigError, defaultPublicUrl, defaultSender, envSchema, LOOPBACK_HOST } from './config-env.js';
import { dkimOf, type DkimConfig } from './config-dkim.js';
export { ConfigError, loadDotEnv, publicUrlIsLocal } from './config-env.js';
import { slugOf, type Brand } from './domain/brand.js';
import type { Frequency } from './domain/edition.js';
import type { RankWeights } from './domain/rank-weights.js';
import type { LogIp } from './domain/redact.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Serve /dev/inbox: only with the built-in catcher, and by default only on a loopback HOST. */
  readonly devInbox: boolean;
  /** Which proxies' X-Forwarded-For to believe (Fastify's trustProxy): rate limits and consent records see the client. */
  readonly trustProxy: boolean | number | string;
  readonly publicUrl: string;
  readonly databaseUrl: string | null;
  /** A direct connection beside a pooled DATABASE_URL (PgBouncer in transaction mode); null when DATABASE_URL is direct. */
  readonly databaseDirectUrl: string | null;
  readonly redisUrl: string | null;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly adminToken: string | null;
  readonly secret: string | null;
  readonly dataDir: string;
  /** The operator's template overrides (TEMPLATES_DIR), or null for the built-in templates. */
  readonly templatesDir: string | null;
  /** Production mode: Postgres, Redis and SMTP are all external, so secrets must be given. */
  readonly production: boolean;
  readonly digest: {
    readonly cron: Readonly<Record<Frequency, string>>;
    readonly tz: string;
    readonly size: number;
    /** Days back an edition looks for candidates. */
    readonly window: Readonly<Record<Frequency, number>>;
    /** A due reader gets the period's edition while its pool is younger than this; then a refreshed one. */
    readonly poolHours: number;
    /** A reader due longer ago than this (the service was down) is skipped for that day, with the reason. */
    readonly catchUpHours: number;
    /** An audience of more than twice this many is assigned in ranges of about this many readers, one job each (any worker). */
    readonly shardReaders: number;
    /** Digest jobs (builds and their shards, ticks, recovery) a worker runs at once. */
    readonly buildConcurrency: number;
    readonly sendEmpty: boolean;
    /** How a reader's feedback and topics reorder their list (RANK_*). */
    readonly ranking: RankWeights;
  };
  readonly ingest: {
    readonly cron: string;
    readonly sources: readonly string[];
    readonly hfApiUrl: string;
    readonly arxivApiUrl: string;
    readonly arxivRssUrl: string;
    readonly timeoutMs: number;
    readonly retries: number;
  };
  readonly send: {
    readonly batchSize: number;
    readonly concurrency: number;
    readonly poolSize: number;
    readonly maxAttempts: number;
    readonly retryBaseMs: number;
    readonly leaseSeconds: number;
    /** Seconds before a row that failed on our side (transport) is tried again. */
    readonly transportRetrySeconds: number;
    /** Milliseconds a delivery result waits for others to share its commit. */
    readonly resultGroupMs: number;
    /** SEND_RATE and SEND_RATE_PER_DOMAIN: messages a second over all workers; null for no limit. */
    readonly rate: number | null;
    readonly ratePerDomain: number | null;
    /** The circuit breaker (src/domain/breaker.ts) and its probes: the first after `cooldownSeconds`, doubling to 30 minutes. */
    readonly pause: {
      readonly afterFailures: number;
      readonly failureRate: number;
      readonly stormRate: number;
      readonly window: number;
      readonly cooldownSeconds: number;
      readonly probeMessages: number;
    };
    /** How often the recovery sweep runs. */
    readonly recoverIntervalSeconds: number;
  };
  /** Signup abuse controls: see docs/security.md. */
  readonly signup: {
    /** Signups per client IP per minute and per hour (@fastify/rate-limit). */
    readonly perMinute: number;
    readonly perHour: number;
    /** Confirmation mails per mailbox per day, plus-tags and case folded (a+1@x and A+2@x are one inbox). */
    readonly mailboxPerDay: number;
    /** Confirmation mails per hour from the whole service; past it they wait in the queue. */
    readonly confirmsPerHour: number;
    /** A form submitted sooner than this after it was shown is a bot's: neutral answer, no mail. */
    readonly minFillSeconds: number;
    /** An ALTCHA-style proof-of-work the signup page solves in the browser (off by default). */
    readonly proofOfWork: boolean;
  };
  /** Bounces and complaints heard after the SMTP answer: see docs/deliverability.md. */
  readonly bounces: {
    /** The shared secret of POST /api/webhooks/bounces; the route is off without it. */
    readonly webhookSecret: string | null;
    /** Soft bounces within 30 days that suppress an address. */
    readonly softLimit: number;
    /** The Amazon SNS topics whose messages are taken (SNS_TOPIC_ARNS); none taken when empty. */
    readonly snsTopicArns: readonly string[];
    /** Check every SNS message's signature (off only in a lab). */
    readonly snsVerifySignatures: boolean;
    /** The complaint-rate guard: pause an edition whose complaints pass `rate` (a fraction) of at least `minSent` sent. */
    readonly complaintGuard: { readonly rate: number; readonly minSent: number };
  };
  /** Console sessions: how long one may sit idle; bull-board's write actions on or off. */
  readonly console: { readonly idleMinutes: number; readonly queueDashboardWrite: boolean };
  /** Who is told when an edition pauses or resumes by itself. */
  readonly alerts: { readonly email: string | null; readonly webhookUrl: string | null };
  /** Privacy: days the network traces of readers who never confirmed or who left are kept; the access log's IPs. */
  readonly privacy: { readonly retentionDays: number; readonly logIp: LogIp };
  /** What readers see the newsletter called and how it looks, in every page and mail. */
  readonly brand: Brand;
  /** Bearer token of GET /metrics; the route is off without it. */
  readonly metricsToken: string | null;
  /** DKIM signing of every message (all three set, or none). */
  readonly dkim: DkimConfig | null;
  /** Redis key prefix (or Postgres schema) of the queues, so installations can share a server. */
  readonly queuePrefix: string;
  /** REDIS_URL is a node of a Redis Cluster (REDIS_CLUSTER=true). */
  readonly redisCluster: boolean;
  readonly logLevel: string;
}

/** A Config whose secrets are known (given, or generated and kept in DATA_DIR). */
export type ResolvedConfig = Config & { readonly adminToken: string; readonly secret: string };

/** Reads and validates the environment once; with loadDotEnv, the only reader of process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const production = Boolean(e.DATABASE_URL && e.REDIS_URL && e.SMTP_URL);
  if (production) {
    const missing = (['SECRET', 'ADMIN_TOKEN'] as const).filter((k) => !e[k]);
    if (missing.length)
      throw new ConfigError(`Invalid configuration:\n  ${missing.map((k) => `${k}: required in production mode (DATABASE_URL, REDIS_URL and SMTP_URL are set)`).join('\n  ')}`);
  }
  if (e.DATABASE_DIRECT_URL && !e.DATABASE_URL) throw new ConfigError('Invalid configuration:\n  DATABASE_DIRECT_URL: goes with DATABASE_URL (the pooled connection it stands beside)');
  if (e.REDIS_CLUSTER && !e.REDIS_URL) throw new ConfigError('Invalid configuration:\n  REDIS_CLUSTER: needs REDIS_URL (one node of the cluster)');
  if (e.REDIS_CLUSTER && e.QUEUE_PREFIX && !e.QUEUE_PREFIX.startsWith('{'))
    throw new ConfigError(`Invalid configuration:\n  QUEUE_PREFIX: with REDIS_CLUSTER it must be a hash tag, e.g. {${e.QUEUE_PREFIX}}, so that each queue's keys share one slot`);
  // Embedded defaults listen on loopback only: the dev inbox shows every reader's links. Production (or an
  // explicit HOST) listens where it is told; docker-compose sets HOST=0.0.0.0.
  const host = e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1');
  const publicUrl = (e.PUBLIC_URL ?? defaultPublicUrl(host, e.PORT)).replace(/\/+$/, '');
  return Object.freeze({
    port: e.PORT,
    host,
    trustProxy: !e.TRUST_PROXY || e.TRUST_PROXY === 'false' ? false : e.TRUST_PROXY === 'true' ? true : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    devInbox: !e.SMTP_URL && (e.DEV_INBOX === undefined ? LOOPBACK_HOST.test(host) : e.DEV_INBOX === 'true' || e.DEV_INBOX === '1'),
    publicUrl,
    databaseUrl: e.DATABASE_URL ?? null,
    databaseDirectUrl: e.DATABASE_DIRECT_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM?.trim() ?? defaultSender(e.NEWSLETTER_NAME),
    adminToken: e.ADMIN_TOKEN ?? null,
    secret: e.SECRET ?? null,
    dataDir: e.DATA_DIR,
    templatesDir: e.TEMPLATES_DIR ?? null,
    production,
    digest: Object.freeze({
      cron: Object.freeze({ daily: e.DIGEST_CRON_DAILY, weekly: e.DIGEST_CRON_WEEKLY }),
      tz: e.DIGEST_TZ,
      size: e.DIGEST_SIZE,
      window: Object.freeze({ daily: e.DIGEST_WINDOW_DAILY, weekly: e.DIGEST_WINDOW_WEEKLY }),
      poolHours: e.DIGEST_POOL_HOURS,
      catchUpHours: e.CATCH_UP_HOURS,
      shardReaders: e.ASSIGN_SHARD_READERS,
      buildConcurrency: e.BUILD_CONCURRENCY,
      sendEmpty: e.SEND_EMPTY === 'true' || e.SEND_EMPTY === '1',
      ranking: Object.freeze({
        profile: e.RANK_PROFILE_WEIGHT,
        topics: e.RANK_TOPIC_WEIGHT,
        liked: e.RANK_LIKE_WEIGHT,
        disliked: e.RANK_DISLIKE_WEIGHT,
        halfLifeDays: e.RANK_HALF_LIFE_DAYS,
      }),
    }),
    ingest: Object.freeze({
      cron: e.INGEST_CRON,
      sources: Object.freeze(e.PAPER_SOURCES.split(',').map((s) => s.trim())),
      hfApiUrl: e.HF_API_URL,
      arxivApiUrl: e.ARXIV_API_URL,
      arxivRssUrl: e.ARXIV_RSS_URL.replace(/\/+$/, ''),
      timeoutMs: e.FETCH_TIMEOUT_MS,
      retries: e.FETCH_RETRIES,
    }),
    send: Object.freeze({
      batchSize: e.SEND_BATCH_SIZE,
      concurrency: e.SEND_CONCURRENCY,
      poolSize: e.SMTP_POOL_SIZE,
      maxAttempts: e.SEND_MAX_ATTEMPTS,
      retryBaseMs: e.SEND_RETRY_BASE_MS,
      leaseSeconds: e.SEND_LEASE_SECONDS,
      transportRetrySeconds: e.SEND_TRANSPORT_RETRY_SECONDS,
      resultGroupMs: e.SEND_RESULT_GROUP_MS,
      rate: e.SEND_RATE ?? null,
      ratePerDomain: e.SEND_RATE_PER_DOMAIN ?? null,
      pause: Object.freeze({
        afterFailures: e.SEND_PAUSE_AFTER_FAILURES,
        failureRate: e.SEND_PAUSE_FAILURE_PERCENT / 100,
        stormRate: e.SEND_PAUSE_STORM_PERCENT / 100,
        window: e.SEND_PAUSE_WINDOW,
        cooldownSeconds: e.SEND_PAUSE_COOLDOWN_SECONDS,
        probeMessages: e.SEND_PROBE_MESSAGES,
      }),
      recoverIntervalSeconds: e.RECOVER_INTERVAL_SECONDS,
    }),
    signup: Object.freeze({
      perMinute: e.SIGNUP_LIMIT_PER_MINUTE,
      perHour: e.SIGNUP_LIMIT_PER_HOUR,
      mailboxPerDay: e.SIGNUP_MAILBOX_PER_DAY,
      confirmsPerHour: e.CONFIRM_MAILS_PER_HOUR,
      minFillSeconds: e.SIGNUP_MIN_FILL_SECONDS,
      proofOfWork: e.SIGNUP_PROOF_OF_WORK === 'true' || e.SIGNUP_PROOF_OF_WORK === '1',
    }),
    bounces: Object.freeze({
      webhookSecret: e.WEBHOOK_SECRET ?? null,
      softLimit: e.SOFT_BOUNCE_LIMIT,
      snsTopicArns: Object.freeze((e.SNS_TOPIC_ARNS ?? '').split(',').map((a) => a.trim()).filter(Boolean)),
      snsVerifySignatures: e.SNS_VERIFY_SIGNATURES,
      complaintGuard: Object.freeze({ rate: e.COMPLAINT_PAUSE_RATE / 100, minSent: e.COMPLAINT_MIN_SENT }),
    }),
    console: Object.freeze({ idleMinutes: e.ADMIN_SESSION_IDLE_MINUTES, queueDashboardWrite: e.QUEUE_DASHBOARD_WRITE }),
    privacy: Object.freeze({ retentionDays: e.RETENTION_DAYS, logIp: e.LOG_IP }),
    alerts: Object.freeze({ email: e.ALERT_EMAIL ?? null, webhookUrl: e.ALERT_WEBHOOK_URL ?? null }),
    dkim: dkimOf(e),
    metricsToken: e.METRICS_TOKEN ?? null,
    brand: Object.freeze({
      name: e.NEWSLETTER_NAME,
      slug: slugOf(e.NEWSLETTER_NAME),
      logoUrl: e.LOGO_URL ?? null,
      accent: e.ACCENT_COLOR.toLowerCase(),
      footer: e.FOOTER_TEXT ?? null,
      postalAddress: e.POSTAL_ADDRESS ?? null,
    }),
    queuePrefix: e.QUEUE_PREFIX ?? (e.REDIS_CLUSTER ? '{papermail}' : 'papermail'),
    redisCluster: e.REDIS_CLUSTER,
    logLevel: e.LOG_LEVEL,
  });
}
