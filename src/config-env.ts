import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { slugOf } from './domain/brand.js';
import { DEFAULT_RANK_WEIGHTS } from './domain/rank-weights.js';

// The environment's shape, one validator per variable, each with its default and a message that names what
// is expected. src/config.ts turns the parsed result into Config.

const selector = z.string().regex(/^[A-Za-z0-9._-]{1,63}$/, 'must be a selector such as papermail').optional();

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
const num = (fallback: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(fallback);
/** An IP address, or a CIDR block of one. */
function isProxyAddress(s: string): boolean {
  const [ip, bits, ...rest] = s.trim().split('/');
  const family = isIP(ip ?? '');
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

export const LOOPBACK_HOST = /^(127(\.\d{1,3}){3}|localhost|::1|\[::1\])$/i;
const noLineBreaks = (s: string) => !/[\r\n]/.test(s);

export const envSchema = z.object({
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
  // Set when DATABASE_URL goes through a transaction-mode pooler (PgBouncer): what needs a session of its own
  // (the migrations' lock, the Postgres queue's LISTEN) connects here, and no statement is prepared by name.
  DATABASE_DIRECT_URL: urlWithScheme(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: urlWithScheme(['redis:', 'rediss:']).optional(),
  SMTP_URL: urlWithScheme(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z
    .string()
    .optional()
    .refine((v) => v === undefined || noLineBreaks(v), 'must be one line')
    .refine((v) => v === undefined || /<[^<>\s]+@[^<>\s]+>$|^[^<>\s]+@[^<>\s]+$/.test(v.trim()), 'must be an address such as "papermail <digest@example.org>"'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /** A folder of template overrides (same names as templates/), checked at start. */
  TEMPLATES_DIR: z.string().min(1).optional(),
  DIGEST_CRON_DAILY: cron('0 8 * * *'),
  DIGEST_CRON_WEEKLY: cron('0 8 * * 1'),
  DIGEST_TZ: timeZone,
  DIGEST_SIZE: int(10, 1, 50),
  DIGEST_WINDOW_DAILY: int(2, 1, 60),
  DIGEST_WINDOW_WEEKLY: int(8, 1, 120),
  DIGEST_POOL_HOURS: int(6, 1, 168),
  // The reader's own ranking (src/domain/ranking.ts): the profile's share against the community rank, Rocchio's
  // weights for topics, liked and hidden papers, and the half-life of a choice.
  RANK_PROFILE_WEIGHT: num(DEFAULT_RANK_WEIGHTS.profile, 0, 1),
  RANK_TOPIC_WEIGHT: num(DEFAULT_RANK_WEIGHTS.topics, 0, 10),
  RANK_LIKE_WEIGHT: num(DEFAULT_RANK_WEIGHTS.liked, 0, 10),
  RANK_DISLIKE_WEIGHT: num(DEFAULT_RANK_WEIGHTS.disliked, 0, 10),
  RANK_HALF_LIFE_DAYS: num(DEFAULT_RANK_WEIGHTS.halfLifeDays, 1, 3650),
  CATCH_UP_HOURS: int(6, 0, 72),
  // An operator's send to more readers than twice this is assigned in ranges of about this many, one job each.
  ASSIGN_SHARD_READERS: int(50_000, 100, 10_000_000),
  // Digest jobs (builds, shards of a build, the delivery tick, recovery) one worker runs at once.
  BUILD_CONCURRENCY: int(2, 1, 16),
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
  SMTP_POOL_SIZE: int(20, 1, 100),
  SEND_MAX_ATTEMPTS: int(5, 1, 50),
  SEND_RETRY_BASE_MS: int(60_000, 10, 86_400_000),
  SEND_LEASE_SECONDS: int(60, 5, 86_400),
  SEND_PAUSE_AFTER_FAILURES: int(10, 1, 10_000),
  SEND_PAUSE_FAILURE_PERCENT: int(20, 1, 100),
  SEND_PAUSE_STORM_PERCENT: int(50, 1, 100),
  SEND_PAUSE_WINDOW: int(200, 10, 100_000),
  /** Seconds after the breaker opens before its first probe; doubled after each failed probe, up to 30 minutes. */
  SEND_PAUSE_COOLDOWN_SECONDS: int(60, 1, 1800),
  /** Real messages a probe sends once the relay takes the login again. */
  SEND_PROBE_MESSAGES: int(5, 1, 100),
  /** Who is told when an edition pauses and resumes: an address (mailed through SMTP_URL), and/or a URL POSTed JSON. */
  ALERT_EMAIL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(v), 'must be an email address such as ops@example.org'),
  ALERT_WEBHOOK_URL: urlWithScheme(['http:', 'https:']).optional(),
  SEND_TRANSPORT_RETRY_SECONDS: int(30, 0, 3600),
  /** Group commit of delivery results: a result waits this long for the other lanes' before it is written. */
  SEND_RESULT_GROUP_MS: int(6, 0, 1000),
  /** Messages a second over all workers together (the provider's rate, e.g. 14 for SES's default); unset: no limit. */
  SEND_RATE: z.coerce.number().int().min(1).max(100_000).optional(),
  /** Messages a second to one recipient domain, over all workers. */
  SEND_RATE_PER_DOMAIN: z.coerce.number().int().min(1).max(100_000).optional(),
  RECOVER_INTERVAL_SECONDS: int(15, 1, 3600),
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
  /** The complaint-rate guard: an edition whose complaints pass this percentage of its sent messages pauses… */
  COMPLAINT_PAUSE_RATE: z.coerce.number({ message: 'must be a percentage such as 0.3' }).min(0.01, 'must be at least 0.01 (percent)').max(100, 'must be at most 100 (percent)').default(0.3),
  /** …once at least this many were sent. */
  COMPLAINT_MIN_SENT: int(1000, 1, 10_000_000),
  /** Amazon SNS topics whose messages the bounce webhook takes (ARNs, comma-separated); SNS messages are refused without it. */
  SNS_TOPIC_ARNS: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.split(',').every((a) => /^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(a.trim())), 'must list SNS topic ARNs such as "arn:aws:sns:us-east-1:123456789012:ses-bounces"'),
  /** Off only in a lab: SNS messages are then believed without their signature (logged loudly at start). */
  SNS_VERIFY_SIGNATURES: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** bull-board's write actions (pause, retry, clean, add, obliterate); read-only without it. */
  QUEUE_DASHBOARD_WRITE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** A console session that sees no request for this long ends. */
  ADMIN_SESSION_IDLE_MINUTES: int(60, 1, 24 * 60),
  /** Days the IP and user agent of never-confirmed signups and of readers who left are kept. */
  RETENTION_DAYS: int(30, 1, 3650),
  /** How much of a client's IP the access log keeps: full, truncated (/24, /48) or none. */
  LOG_IP: z.enum(['full', 'truncated', 'none']).default('truncated'),
  DKIM_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'must be a domain such as example.org').optional(),
  DKIM_SELECTOR: selector,
  DKIM_PRIVATE_KEY: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().optional(),
  /** An Ed25519 key signing beside the RSA one (RFC 8463): receivers that know it check the cheap signature. */
  DKIM_ED25519_SELECTOR: selector,
  DKIM_ED25519_PRIVATE_KEY: z.string().optional(),
  DKIM_ED25519_PRIVATE_KEY_FILE: z.string().optional(),
  /** Rotation: the RSA key that signs from DKIM_NEXT_FROM on (publish its record first; doctor prints it). */
  DKIM_SELECTOR_NEXT: selector,
  DKIM_PRIVATE_KEY_NEXT: z.string().optional(),
  DKIM_PRIVATE_KEY_NEXT_FILE: z.string().optional(),
  DKIM_NEXT_FROM: z.iso
    .datetime({ offset: true, message: 'must be a date and time such as 2027-03-01T00:00:00Z' })
    .or(z.iso.date({ message: 'must be a date such as 2027-03-01' }))
    .transform((v) => new Date(v))
    .optional(),
  // A hash tag ({papermail}) keeps every key of a queue in one Redis Cluster slot, as BullMQ needs.
  QUEUE_PREFIX: z.string().regex(/^(\{[A-Za-z0-9_-]{1,40}\}|[A-Za-z0-9_-]{1,40})$/, 'must be 1-40 letters, digits, "-" or "_", or such a name in braces ({papermail}) for Redis Cluster').optional(),
  /** REDIS_URL is one node of a Redis (or Valkey) Cluster; the others are discovered. */
  REDIS_CLUSTER: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Thrown when the environment holds a value the service cannot run with; names the variable. */
export class ConfigError extends Error {}

/**
 * Loads `.env` from the working directory into process.env when there is one (Node's own parser);
 * variables already set win. Tests (NODE_ENV=test) never read a developer's .env.
 */
export function loadDotEnv(): void {
  if (process.env.NODE_ENV === 'test' || !existsSync('.env')) return;
  try {
    process.loadEnvFile('.env');
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  .env: ${(err as Error).message}`);
  }
}

/**
 * The sender when MAIL_FROM is unset: the newsletter's name at a placeholder domain of its own
 * ("papermail <digest@papermail.localhost>", "Papers Weekly <digest@papers-weekly.localhost>"); the name is
 * quoted when it holds anything but letters, digits and spaces.
 */
export function defaultSender(name: string): string {
  const phrase = /^[A-Za-z0-9 ]+$/.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
  return `${phrase} <digest@${slugOf(name)}.localhost>`;
}

/**
 * The address links point at when PUBLIC_URL is unset: this service as the machine it runs on reaches it,
 * on its own PORT (so a .env that changes only PORT changes the links too). A HOST that names one
 * interface is used as it is; a wildcard or loopback one is reached as localhost.
 */
export function defaultPublicUrl(host: string, port: number): string {
  const wildcardOrLocal = /^(0\.0\.0\.0|::|\[::\]|)$/.test(host) || LOOPBACK_HOST.test(host);
  const name = wildcardOrLocal ? 'localhost' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** True when links point at this machine only (localhost or a loopback address): fine on a laptop, wrong in production. */
export function publicUrlIsLocal(publicUrl: string): boolean {
  const host = new URL(publicUrl).hostname;
  return LOOPBACK_HOST.test(host) || host.endsWith('.localhost') || host === '[::1]';
}
