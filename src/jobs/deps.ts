import type { ResolvedConfig } from '../config.js';
import type { ConfirmCeiling } from '../db/rate-limits.js';
import type { Repos } from '../db/repos.js';
import type { Tokens } from '../domain/tokens.js';
import type { Mailer } from '../mail/mailer.js';
import type { Fetcher } from '../sources/fetcher.js';
import type { Producer } from './queues.js';

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/**
 * What the scheduling, building, ingest and transactional processors use; created once in the
 * composition root (src/runtime). The digest send pipeline takes narrower ports (send-batch.ts).
 */
export interface Deps {
  config: ResolvedConfig;
  repos: Repos;
  producer: Producer;
  mailer: Mailer;
  tokens: Tokens;
  fetcher: Fetcher;
  /** The service-wide ceiling on confirmation mails per hour. */
  confirmations: ConfirmCeiling;
  log: Logger;
  now: () => Date;
}
