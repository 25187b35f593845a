// What the builder's tests against real Postgres share: the seed papers and active daily readers, a config,
// and a queue port that does nothing unless a test says what a call should do.
import { sql } from 'drizzle-orm';
import { loadConfig, type ResolvedConfig } from '../../src/config.js';
import type { Repos } from '../../src/db/repos.js';
import { seedPapers } from '../../src/runtime/seed.js';
import type { Logger } from '../../src/jobs/logger.js';
import type { Producer } from '../../src/jobs/queues.js';
import type { createTestDatabase } from './database.js';

/** The seed papers, and `readers` active daily readers named `<prefix><n>@example.org`. */
export async function papersAndReaders(t: { repos: Repos; db: Awaited<ReturnType<typeof createTestDatabase>> }, prefix: string, readers: number): Promise<void> {
  await seedPapers(t.repos.papers);
  await t.db.db.execute(sql`
    insert into subscribers (email, status, frequency, confirmed_at)
    select ${prefix} || g || '@example.org', 'active', 'daily', now() from generate_series(1, ${readers}::int) g`);
}

/** The builder's config from `env`, quiet, with the test secrets. */
export const buildConfig = (env: Record<string, string> = {}): ResolvedConfig => ({
  ...loadConfig({ LOG_LEVEL: 'silent', ...env }),
  secret: 'test-secret-test-secret-test-secret-00',
  adminToken: 'test-admin-token-0123',
});

/** A queue port whose calls do nothing, but those given. */
export const quietProducer = (calls: Partial<Omit<Producer, 'queues'>> = {}): Producer => ({
  buildEdition: async () => {},
  buildShards: async () => {},
  sendRanges: async () => {},
  sendLater: async () => {},
  sendTransactional: async () => {},
  alert: async () => {},
  ingestNow: async () => {},
  queues: {} as Producer['queues'],
  ...calls,
});

export const silentLog: Logger = { info() {}, warn() {}, error() {} };
