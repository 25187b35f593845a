import type { ResolvedConfig } from '../config.js';
import type { Db } from '../db/client.js';
import { createDeliveriesRepo } from '../db/deliveries-repo.js';
import { createEditionsRepo } from '../db/editions-repo.js';
import { createPapersRepo } from '../db/papers-repo.js';
import { createSubscribersRepo } from '../db/subscribers-repo.js';
import { createSuppressionsRepo } from '../db/suppressions-repo.js';
import { createTokens, emailHash, type Tokens } from '../domain/tokens.js';
import { createReadersRepo } from '../db/readers-repo.js';
import type { Mailer } from '../mail/mailer.js';
import { createFetcher, type Fetcher } from '../sources/fetcher.js';
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
  fetcher: Fetcher;
  log: Logger;
  now: () => Date;
}

/** One repository per aggregate over a drizzle client; SECRET keys the address hashes. */
export function createRepos(db: Db, secret: string) {
  return {
    subscribers: createSubscribersRepo(db, (email) => emailHash(secret, email)),
    readers: createReadersRepo(db),
    papers: createPapersRepo(db),
    editions: createEditionsRepo(db),
    deliveries: createDeliveriesRepo(db),
    suppressions: createSuppressionsRepo(db),
  };
}

/** The feed fetcher: names the project, and keeps to one request every 3 s on the arXiv API host. */
export function createFeedFetcher(config: Pick<ResolvedConfig, "publicUrl" | "ingest">): Fetcher {
  const arxivHost = new URL(config.ingest.arxivApiUrl).host;
  return createFetcher({
    userAgent: `papermail/0.1 (self-hosted paper digest; +${config.publicUrl})`,
    timeoutMs: config.ingest.timeoutMs,
    retries: config.ingest.retries,
    spacingMs: (host) => (host === arxivHost ? 3000 : 0),
  });
}

export function createDeps(args: { config: ResolvedConfig; db: Db; producer: Producer; mailer: Mailer; log: Logger; now?: () => Date; fetcher?: Fetcher }): Deps {
  const now = args.now ?? (() => new Date());
  return {
    config: args.config,
    repos: createRepos(args.db, args.config.secret),
    producer: args.producer,
    mailer: args.mailer,
    tokens: createTokens(args.config.secret, () => now().getTime()),
    fetcher: args.fetcher ?? createFeedFetcher(args.config),
    log: args.log,
    now,
  };
}
