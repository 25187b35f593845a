import type { Cluster, Redis } from 'ioredis';
import type { AppParts } from '../http/app.js';
import { createSignupGuard } from '../http/signup-guard.js';
import { listInbox, readInboxMessage } from '../mail/dev-catcher.js';
import type { SnsGate } from '../http/routes/webhooks.js';
import { adminOperations } from './admin-operations.js';
import type { Runtime } from './index.js';

/** What the API process adds to the runtime: its own checks, the shared limit store and the SNS client. */
export interface HttpExtras {
  rateLimitRedis: Redis | Cluster | null;
  readiness: Record<string, () => Promise<void>>;
  advisories: Record<string, () => Promise<void>>;
  /** Relays the mail a request committed to the outbox now, rather than at the next sweep. */
  mailOwed: () => void;
  sns: SnsGate;
}

/**
 * Binds each route group's port to the runtime's repositories, limits and queues. This is the one place
 * where the HTTP layer meets the database: the routes see only the ports they declare.
 */
export function httpParts(rt: Runtime, extras: HttpExtras): AppParts {
  const { config, repos, limits, producer } = rt;
  const { tokens } = rt;
  const { mailOwed, rateLimitRedis } = extras;
  const guard = createSignupGuard({ tokens, secret: config.secret, minFillSeconds: config.signup.minFillSeconds, proofOfWork: config.signup.proofOfWork });
  const readers = repos.subscribers;
  const papersByIds = (ids: string[]) => repos.papers.byIds(ids);
  const admin = adminOperations({ config, repos, producer, jobs: rt.jobs, now: rt.now, templates: rt.templates, mailOwed });
  const inboxDir = config.devInbox ? rt.inboxDir : null;
  return {
    config,
    logger: rt.log,
    rateLimitRedis,
    routes: {
      health: { config, readiness: extras.readiness, advisories: extras.advisories, metrics: rt.metrics.registry, bearerFailures: limits.bearerFailures },
      signup: { config, signup: (input) => readers.signup(input), mailbox: limits.mailbox, guard, mailOwed },
      confirm: { config, tokens, readers, mailOwed },
      unsubscribe: { config, tokens, guard, readers },
      preferences: { config, tokens, readers, marked: (id) => repos.feedback.marked(id) },
      yourData: { config, tokens, readers, dataLinks: limits.dataLinks, mailOwed },
      feedback: { config, tokens, readerById: (id) => readers.byId(id), papersByIds, feedback: repos.feedback },
      archive: { config, editions: { archive: (limit) => repos.reports.archive(limit), byId: (id) => repos.editions.byId(id) }, papersByIds, templates: rt.templates },
      admin: { config, admin, bearerFailures: limits.bearerFailures },
      console: { config, admin, sessions: repos.adminSessions, queues: Object.values(producer.queues) },
      webhooks: { config, bounces: repos.suppressions, sns: extras.sns, guardComplaints: (ids) => rt.jobs.guardComplaints(ids) },
      devInbox: inboxDir ? { list: () => listInbox(inboxDir), read: (id) => readInboxMessage(inboxDir, id) } : null,
    },
  };
}
