import type { Db } from './client.js';
import { emailHash } from '../domain/tokens.js';
import { createDeliveriesRepo } from './deliveries-repo.js';
import { createEditionsRepo } from './editions-repo.js';
import { createFeedbackRepo } from './feedback-repo.js';
import { createOutboxRepo } from './outbox-repo.js';
import { createPapersRepo } from './papers-repo.js';
import { createReadersRepo } from './readers-repo.js';
import { createSubscribersRepo } from './subscribers-repo.js';
import { createSuppressionsRepo } from './suppressions-repo.js';

/** One repository per aggregate over a drizzle client; SECRET keys the address hashes. */
export function createRepos(db: Db, secret: string) {
  return {
    subscribers: createSubscribersRepo(db, (email) => emailHash(secret, email)),
    readers: createReadersRepo(db),
    papers: createPapersRepo(db),
    editions: createEditionsRepo(db),
    deliveries: createDeliveriesRepo(db),
    suppressions: createSuppressionsRepo(db),
    outbox: createOutboxRepo(db),
    feedback: createFeedbackRepo(db),
  };
}

export type Repos = ReturnType<typeof createRepos>;
