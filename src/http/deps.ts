import type { ResolvedConfig } from '../config.js';
import type { Tokens } from '../domain/tokens.js';
import type { createRepos } from '../jobs/deps.js';
import type { Producer } from '../jobs/queues.js';

/** What the HTTP layer needs; it only reads and writes rows and produces jobs. */
export interface AppDeps {
  config: ResolvedConfig;
  repos: ReturnType<typeof createRepos>;
  producer: Producer;
  tokens: Tokens;
  /** Each check resolves when its service answers. */
  readiness: Record<string, () => Promise<void>>;
  /** Folder of the built-in SMTP catcher, when it runs: enables /dev/inbox. */
  inboxDir: string | null;
  logger?: boolean | object;
}
