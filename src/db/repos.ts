import type { Db } from './client.js';
import { emailHash } from '../domain/tokens.js';
import { createAdminSessionsRepo } from './admin-sessions-repo.js';
import { createDeliveriesRepo } from './deliveries-repo.js';
import { createEditionsRepo } from './editions-repo.js';
import { createEditionShardsRepo } from './edition-shards-repo.js';
import { createEditionPausesRepo } from './edition-pauses-repo.js';
import { createEditionRendersRepo } from './edition-renders-repo.js';
import { createEditionReportsRepo } from './edition-reports-repo.js';
import { createFeedbackRepo } from './feedback-repo.js';
import { createOutboxRepo } from './outbox-repo.js';
import { createPapersRepo } from './papers-repo.js';
import { createReadersRepo } from './readers-repo.js';
import { createSourceRunsRepo } from './source-runs-repo.js';
import { createSubscribersRepo } from './subscribers-repo.js';
import { createSuppressionsRepo } from './suppressions-repo.js';

/** One repository per aggregate over a drizzle client; SECRET keys the address hashes. */
/**
 * Every repository on one database. `namedStatements: false` when the connection goes through a
 * transaction-mode pooler, where a statement prepared on one server connection is unknown on the next.
 */
export function createRepos(db: Db, secret: string, opts: { namedStatements?: boolean } = {}) {
  return {
    subscribers: createSubscribersRepo(db, (email) => emailHash(secret, email), { namedStatements: opts.namedStatements ?? true }),
    readers: createReadersRepo(db),
    papers: createPapersRepo(db),
    editions: createEditionsRepo(db),
    editionShards: createEditionShardsRepo(db),
    pauses: createEditionPausesRepo(db),
    renders: createEditionRendersRepo(db),
    reports: createEditionReportsRepo(db),
    deliveries: createDeliveriesRepo(db, { namedStatements: opts.namedStatements ?? true }),
    suppressions: createSuppressionsRepo(db),
    outbox: createOutboxRepo(db),
    feedback: createFeedbackRepo(db),
    adminSessions: createAdminSessionsRepo(db),
    sourceRuns: createSourceRunsRepo(db),
  };
}

export type Repos = ReturnType<typeof createRepos>;
