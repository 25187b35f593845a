import type { Config, ResolvedConfig } from '../config.js';
import { connectDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { createFetcher, type Fetcher } from '../sources/fetcher.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';

/** Opens Postgres: DATABASE_URL, or the embedded server on DATA_DIR (attached to or started); migrates it. */
export async function openDatabase(config: Config, log: (m: string) => void): Promise<{ database: Database; embedded: EmbeddedDatabase | null }> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, log);
  const database = connectDatabase(config.databaseUrl ?? embedded!.url, { max: 10 });
  try {
    if (config.databaseDirectUrl) {
      // Behind a transaction-mode pooler the migrations' session lock needs a connection of its own.
      const direct = connectDatabase(config.databaseDirectUrl, { max: 1 });
      try {
        await migrateDatabase(direct.pool);
      } finally {
        await direct.close();
      }
    } else await migrateDatabase(database.pool);
  } catch (err) {
    await database.close();
    await embedded?.stop();
    throw err;
  }
  return { database, embedded };
}

/** The feed fetcher: names the project, and keeps to one request every 3 s on the arXiv API host. */
export function createFeedFetcher(config: Pick<ResolvedConfig, 'publicUrl' | 'ingest'>): Fetcher {
  const arxivHost = new URL(config.ingest.arxivApiUrl).host;
  return createFetcher({
    userAgent: `papermail/0.1 (self-hosted paper digest; +${config.publicUrl})`,
    timeoutMs: config.ingest.timeoutMs,
    retries: config.ingest.retries,
    spacingMs: (host) => (host === arxivHost ? 3000 : 0),
  });
}
