import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/** Thrown when the environment holds a value the service cannot run with; names the variable. */
export class ConfigError extends Error {}

const cron = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => {
      try {
        if (v.trim().split(/\s+/).length !== 5) return false;
        CronExpressionParser.parse(v);
        return true;
      } catch {
        return false;
      }
    }, 'must be a 5-field cron expression such as "0 8 * * *"');

const timeZone = z
  .string()
  .default('UTC')
  .refine((v) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: v });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as "Europe/Berlin"');

const urlWithScheme = (schemes: string[]) =>
  z
    .string()
    .refine((v) => {
      try {
        return schemes.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}`);

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);
/** An IP address, or a CIDR block of one. */
function isProxyAddress(s: string): boolean {
  const [ip, bits, ...rest] = s.trim().split('/');
  const family = isIP(ip ?? '');
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|localhost|::1|\[::1\])$/i;
const noLineBreaks = (s: string) => !/[\r\n]/.test(s);

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).optional(),
  DEV_INBOX: z.enum(['true', 'false', '1', '0']).optional(),
  TRUST_PROXY: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^(true|false|\d{1,2})$/.test(v) || v.split(',').every(isProxyAddress), 'must be false, true, a hop count such as 1, or proxy addresses or CIDRs such as "10.0.0.0/8,127.0.0.1"'),
  PUBLIC_URL: urlWithScheme(['http:', 'https:']).optional(),
  DATABASE_URL: urlWithScheme(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: urlWithScheme(['redis:', 'rediss:']).optional(),
  SMTP_URL: urlWithScheme(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z
    .string()
    .default('papermail <digest@papermail.localhost>')
    .refine(noLineBreaks, 'must be one line')
    .refine((v) => /<[^<>\s]+@[^<>\s]+>$|^[^<>\s]+@[^<>\s]+$/.test(v.trim()), 'must be an address such as "papermail <digest@example.org>"'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DIGEST_CRON_DAILY: cron('0 8 * * *'),
  DIGEST_CRON_WEEKLY: cron('0 8 * * 1'),
  DIGEST_TZ: timeZone,
  DIGEST_SIZE: int(10, 1, 50),
  DIGEST_WINDOW_DAILY: int(2, 1, 60),
  DIGEST_WINDOW_WEEKLY: int(8, 1, 120),
  DIGEST_POOL_HOURS: int(6, 1, 168),
  CATCH_UP_HOURS: int(6, 0, 72),
  SEND_EMPTY: z.enum(['true', 'false', '1', '0']).default('false'),
  INGEST_CRON: cron('0 * * * *'),
  PAPER_SOURCES: z
    .string()
    .default('hf')
    .refine((v) => v.split(',').every((s) => /^(hf|arxiv:[\w.+-]+|arxiv-rss:[\w.+-]+)$/.test(s.trim())), 'must list sources such as "hf,arxiv:cs.LG+cs.CL,arxiv-rss:cs.LG"'),
  HF_API_URL: urlWithScheme(['http:', 'https:']).default('https://huggingface.co/api/daily_papers'),
  ARXIV_API_URL: urlWithScheme(['http:', 'https:']).default('http://export.arxiv.org/api/query'),
  ARXIV_RSS_URL: urlWithScheme(['http:', 'https:']).default('https://rss.arxiv.org'),
  FETCH_TIMEOUT_MS: int(20_000, 100, 300_000),
  FETCH_RETRIES: int(4, 0, 10),
  SEND_BATCH_SIZE: int(500, 1, 10_000),
  SEND_CONCURRENCY: int(2, 1, 64),
  SMTP_POOL_SIZE: int(10, 1, 100),
  SEND_MAX_ATTEMPTS: int(5, 1, 50),
  SEND_RETRY_BASE_MS: int(60_000, 10, 86_400_000),
  SEND_LEASE_SECONDS: int(600, 5, 86_400),
  SEND_PAUSE_AFTER_FAILURES: int(10, 1, 10_000),
  SEND_PAUSE_FAILURE_PERCENT: int(20, 1, 100),
  SEND_PAUSE_STORM_PERCENT: int(50, 1, 100),
  SEND_PAUSE_WINDOW: int(200, 10, 100_000),
  SEND_TRANSPORT_RETRY_SECONDS: int(30, 0, 3600),
  RECOVER_INTERVAL_SECONDS: int(60, 1, 3600),
  SIGNUP_LIMIT_PER_MINUTE: int(5, 1, 1_000_000),
  SIGNUP_LIMIT_PER_HOUR: int(30, 1, 1_000_000),
  SIGNUP_MAILBOX_PER_DAY: int(3, 1, 1_000_000),
  CONFIRM_MAILS_PER_HOUR: int(500, 1, 10_000_000),
  SIGNUP_MIN_FILL_SECONDS: int(2, 0, 600),
  SIGNUP_PROOF_OF_WORK: z.enum(['true', 'false', '1', '0']).default('false'),
  NEWSLETTER_NAME: z.string().trim().min(1).max(60).refine(noLineBreaks, 'must be one line').default('papermail'),
  LOGO_URL: urlWithScheme(['https:']).optional(),
  ACCENT_COLOR: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #0b57d0').default('#0b57d0'),
  FOOTER_TEXT: z.string().max(500).refine(noLineBreaks, 'must be one line').optional(),
  POSTAL_ADDRESS: z.string().max(300).refine(noLineBreaks, 'must be one line').optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SOFT_BOUNCE_LIMIT: int(3, 1, 100),
  SNS_CONFIRM_HOSTS: z.string().default('amazonaws.com,amazonaws.com.cn'),
  DKIM_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'must be a domain such as example.org').optional(),
  DKIM_SELECTOR: z.string().regex(/^[A-Za-z0-9._-]{1,63}$/, 'must be a selector such as papermail').optional(),
  DKIM_PRIVATE_KEY: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().optional(),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, "-" or "_"').default('papermail'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Frequency = 'daily' | 'weekly';

/** The newsletter's name and look (NEWSLETTER_NAME, LOGO_URL, ACCENT_COLOR, FOOTER_TEXT, POSTAL_ADDRESS). */
export interface Brand {
  readonly name: string;
  /** The name as a DNS label, for List-Id and Feedback-ID: "Papers Weekly" is papers-weekly. */
  readonly slug: string;
  readonly logoUrl: string | null;
  readonly accent: string;
  readonly footer: string | null;
  /** The sender's postal address (CAN-SPAM), in every digest's footer. */
  readonly postalAddress: string | null;
}

/** The name as a DNS label: lower case letters, digits and hyphens. */
export const slugOf = (name: string) =>
  name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'newsletter';

export const DEFAULT_BRAND: Brand = Object.freeze({ name: 'papermail', slug: 'papermail', logoUrl: null, accent: '#0b57d0', footer: null, postalAddress: null });

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Serve /dev/inbox: only with the built-in catcher, and by default only on a loopback HOST. */
  readonly devInbox: boolean;
  /** Which proxies' X-Forwarded-For to believe (Fastify's trustProxy): rate limits and consent records see the client. */
  readonly trustProxy: boolean | number | string;
  readonly publicUrl: string;
  readonly databaseUrl: string | null;
  readonly redisUrl: string | null;
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly adminToken: string | null;
  readonly secret: string | null;
  readonly dataDir: string;
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
    readonly sendEmpty: boolean;
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
    /** The circuit breaker: see src/domain/breaker.ts. */
    readonly pause: { readonly afterFailures: number; readonly failureRate: number; readonly stormRate: number; readonly window: number };
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
    /** Host suffixes an Amazon SNS SubscribeURL may point at (https only, except on loopback). */
    readonly snsConfirmHosts: readonly string[];
  };
  /** What readers see the newsletter called and how it looks, in every page and mail. */
  readonly brand: Brand;
  /** Bearer token of GET /metrics; the route is off without it. */
  readonly metricsToken: string | null;
  /** DKIM signing of every message (all three set, or none). */
  readonly dkim: { readonly domainName: string; readonly keySelector: string; readonly privateKey: string } | null;
  /** Redis key prefix (or Postgres schema) of the queues, so installations can share a server. */
  readonly queuePrefix: string;
  readonly logLevel: string;
}

/** A Config whose secrets are known (given, or generated and kept in DATA_DIR). */
export type ResolvedConfig = Config & { readonly adminToken: string; readonly secret: string };

/** DKIM settings: all of domain, selector and key (inline PEM, "\n" allowed, or a file), or none. */
function dkimOf(e: z.infer<typeof envSchema>): Config['dkim'] {
  const given = [e.DKIM_DOMAIN, e.DKIM_SELECTOR, e.DKIM_PRIVATE_KEY ?? e.DKIM_PRIVATE_KEY_FILE].filter(Boolean).length;
  if (given === 0) return null;
  if (given < 3) throw new ConfigError('Invalid configuration:\n  DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE): set all three, or none');
  let pem: string;
  try {
    pem = e.DKIM_PRIVATE_KEY ? e.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n') : readFileSync(e.DKIM_PRIVATE_KEY_FILE!, 'utf8');
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  DKIM_PRIVATE_KEY_FILE: cannot read it (${(err as Error).message})`);
  }
  try {
    if (createPrivateKey(pem).asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${e.DKIM_PRIVATE_KEY ? 'DKIM_PRIVATE_KEY' : 'DKIM_PRIVATE_KEY_FILE'}: must be an RSA private key in PEM (${(err as Error).message})`);
  }
  return Object.freeze({ domainName: e.DKIM_DOMAIN!.toLowerCase(), keySelector: e.DKIM_SELECTOR!, privateKey: pem });
}

/** Reads and validates the environment once; the only reader of process.env. */
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
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  // Embedded defaults listen on loopback only: the dev inbox shows every reader's links. Production (or an
  // explicit HOST) listens where it is told; docker-compose sets HOST=0.0.0.0.
  const host = e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1');
  return Object.freeze({
    port: e.PORT,
    host,
    trustProxy: !e.TRUST_PROXY || e.TRUST_PROXY === 'false' ? false : e.TRUST_PROXY === 'true' ? true : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    devInbox: !e.SMTP_URL && (e.DEV_INBOX === undefined ? LOOPBACK_HOST.test(host) : e.DEV_INBOX === 'true' || e.DEV_INBOX === '1'),
    publicUrl,
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM.trim(),
    adminToken: e.ADMIN_TOKEN ?? null,
    secret: e.SECRET ?? null,
    dataDir: e.DATA_DIR,
    production,
    digest: Object.freeze({
      cron: Object.freeze({ daily: e.DIGEST_CRON_DAILY, weekly: e.DIGEST_CRON_WEEKLY }),
      tz: e.DIGEST_TZ,
      size: e.DIGEST_SIZE,
      window: Object.freeze({ daily: e.DIGEST_WINDOW_DAILY, weekly: e.DIGEST_WINDOW_WEEKLY }),
      poolHours: e.DIGEST_POOL_HOURS,
      catchUpHours: e.CATCH_UP_HOURS,
      sendEmpty: e.SEND_EMPTY === 'true' || e.SEND_EMPTY === '1',
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
      pause: Object.freeze({
        afterFailures: e.SEND_PAUSE_AFTER_FAILURES,
        failureRate: e.SEND_PAUSE_FAILURE_PERCENT / 100,
        stormRate: e.SEND_PAUSE_STORM_PERCENT / 100,
        window: e.SEND_PAUSE_WINDOW,
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
      snsConfirmHosts: Object.freeze(e.SNS_CONFIRM_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)),
    }),
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
    queuePrefix: e.QUEUE_PREFIX,
    logLevel: e.LOG_LEVEL,
  });
}
