import type { ResolvedConfig } from '../config.js';
import type { Db } from '../db/client.js';
import { createDeliveriesRepo } from '../db/deliveries-repo.js';
import { createEditionsRepo } from '../db/editions-repo.js';
import { createPapersRepo } from '../db/papers-repo.js';
import { createSubscribersRepo } from '../db/subscribers-repo.js';
import { createSuppressionsRepo } from '../db/suppressions-repo.js';
import { createTokens, type Tokens } from '../domain/tokens.js';
import type { Mailer } from '../mail/mailer.js';
import type { Producer } from './queues.js';

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** Everything with a side effect, created once in the composition root and passed in. */
export interface Deps {
  config: ResolvedConfig;
  repos: ReturnType<typeof createRepos>;
  producer: Producer;
  mailer: Mailer;
  tokens: Tokens;
  log: Logger;
  now: () => Date;
}

/** One repository per aggregate over a drizzle client. */
export function createRepos(db: Db) {
  return {
    subscribers: createSubscribersRepo(db),
    papers: createPapersRepo(db),
    editions: createEditionsRepo(db),
    deliveries: createDeliveriesRepo(db),
    suppressions: createSuppressionsRepo(db),
  };
}

export function createDeps(args: { config: ResolvedConfig; db: Db; producer: Producer; mailer: Mailer; log: Logger; now?: () => Date }): Deps {
  const now = args.now ?? (() => new Date());
  return {
    config: args.config,
    repos: createRepos(args.db),
    producer: args.producer,
    mailer: args.mailer,
    tokens: createTokens(args.config.secret, () => now().getTime()),
    log: args.log,
    now,
  };
}
