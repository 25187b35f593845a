import type { ResolvedConfig } from '../config.js';
import type { Tokens } from '../domain/tokens.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Repos } from '../db/repos.js';
import type { MailboxThrottle, RequestThrottle } from '../db/rate-limits.js';
import type { Producer } from '../jobs/queues.js';
import type { SignupGuard } from './signup-guard.js';
import type { SessionStore } from './admin-session.js';
import type { FailureCounter } from './bearer.js';
import type { SnsGate } from './routes/webhooks.js';

/** What the HTTP layer needs; it only reads and writes rows and produces jobs. */
export interface AppDeps {
  config: ResolvedConfig;
  repos: Repos;
  producer: Producer;
  tokens: Tokens;
  /** Honeypot, minimum fill time and the optional proof-of-work of the signup form. */
  guard: SignupGuard;
  /** Shared counters: confirmation mails per inbox, data links per reader. */
  limits: { mailbox: MailboxThrottle; dataLinks: RequestThrottle };
  /** Where the per-IP signup limits count, so that several API processes share them; in memory when null. */
  rateLimitRedis: Redis | Cluster | null;
  /** Each check resolves when its service answers; /ready is 503 while one fails. */
  readiness: Record<string, () => Promise<void>>;
  /** Checks shown in /ready that do not make the API unready (the SMTP login, seen by this process's worker). */
  advisories?: Record<string, () => Promise<void>>;
  /** Called after a request committed mail it owes to the outbox: relays it now rather than at the next sweep. */
  mailOwed?: () => void;
  /** Folder of the built-in SMTP catcher, when it runs: enables /dev/inbox. */
  inboxDir: string | null;
  /** The service's logger (pino): one access line per request, with its id; none when absent (tests). */
  logger?: FastifyBaseLogger;
  /** Amazon SNS for the bounce webhook: message signatures and the subscription handshake. */
  sns: SnsGate;
  /** Console sessions, kept in Postgres so that signing out ends them. */
  sessions: SessionStore;
  /** Failed bearer-token attempts per client, on the admin API and /metrics. */
  bearerFailures: FailureCounter;
  /** Prometheus registry served at GET /metrics (with METRICS_TOKEN). */
  metrics?: Registry;
}
