import type { ResolvedConfig } from '../config.js';
import type { Tokens } from '../domain/tokens.js';
import type { Repos } from '../db/repos.js';
import type { Producer } from '../jobs/queues.js';

/** What the HTTP layer needs; it only reads and writes rows and produces jobs. */
export interface AppDeps {
  config: ResolvedConfig;
  repos: Repos;
  producer: Producer;
  tokens: Tokens;
  /** Each check resolves when its service answers; /ready is 503 while one fails. */
  readiness: Record<string, () => Promise<void>>;
  /** Checks shown in /ready that do not make the API unready (the SMTP login, seen by this process's worker). */
  advisories?: Record<string, () => Promise<void>>;
  /** Called after a request committed mail it owes to the outbox: relays it now rather than at the next sweep. */
  mailOwed?: () => void;
  /** Folder of the built-in SMTP catcher, when it runs: enables /dev/inbox. */
  inboxDir: string | null;
  logger?: boolean | object;
}
