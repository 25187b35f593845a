import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Config, ResolvedConfig } from '../config.js';
import { connectDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { seedIfEmpty } from '../db/seed.js';
import { createDeps, type Deps } from '../jobs/deps.js';
import { createProducer, type Producer } from '../jobs/queues.js';
import { startDevCatcher, type DevCatcher } from '../mail/dev-catcher.js';
import type { Mailer } from '../mail/mailer.js';
import { createSmtpMailer } from '../mail/smtp-mailer.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
import { createPgQueueBackend, createRedisBackend, type QueueBackend } from './queue-backend.js';
import { resolveSecrets } from './secrets.js';

export interface Runtime {
  config: ResolvedConfig;
  log: Logger;
  database: Database;
  backend: QueueBackend;
  producer: Producer;
  /** Present when this process sends mail. */
  mailer: Mailer | null;
  deps: Deps;
  /** Folder of the dev catcher's messages when SMTP_URL is unset. */
  inboxDir: string | null;
  generatedAdminToken: string | null;
  embedded: { postgres: boolean; queue: boolean; mail: boolean };
  close(): Promise<void>;
}

/** Opens Postgres: DATABASE_URL, or the embedded server on DATA_DIR (attached to or started). */
export async function openDatabase(config: Config, log: (m: string) => void): Promise<{ database: Database; embedded: EmbeddedDatabase | null }> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, log);
  const database = connectDatabase(config.databaseUrl ?? embedded!.url, { max: 10 });
  await migrateDatabase(database.pool);
  return { database, embedded };
}

/**
 * The composition root: chooses every side effect from Config (embedded or external Postgres,
 * BullMQ on Redis or on Postgres, real SMTP or the dev catcher) and wires them together.
 */
export async function createRuntime(base: Config, opts: { sendsMail: boolean; seed: boolean }): Promise<Runtime> {
  const log = pino({ level: base.logLevel, base: undefined });
  const { config, generatedAdminToken } = await resolveSecrets(base);
  const closers: (() => Promise<unknown>)[] = [];
  let closing = false;
  try {
    const { database, embedded } = await openDatabase(config, (m) => log.info(m));
    if (embedded) closers.unshift(() => embedded.stop());
    closers.unshift(() => database.close());
    const onQueueError = (err: Error) => void (closing ? undefined : log.warn({ err: err.message }, 'queue connection error'));
    const backend = config.redisUrl
      ? createRedisBackend(config.redisUrl, config.queuePrefix, onQueueError)
      : createPgQueueBackend(database.url, config.queuePrefix === 'papermail' ? 'bullmq' : config.queuePrefix, onQueueError);
    closers.unshift(() => backend.close());
    const producer = createProducer(backend);
    const inboxDir = config.smtpUrl ? null : join(resolve(config.dataDir), 'inbox');
    let mailer: Mailer | null = null;
    if (opts.sendsMail) {
      let smtpUrl = config.smtpUrl;
      if (!smtpUrl) {
        const catcher: DevCatcher = await startDevCatcher(inboxDir!);
        closers.unshift(() => catcher.close());
        smtpUrl = catcher.url;
      }
      const smtp = createSmtpMailer(smtpUrl, { poolSize: config.send.poolSize });
      closers.unshift(() => smtp.close());
      mailer = smtp;
    }
    const deps = createDeps({
      config,
      db: database.db,
      producer,
      mailer: mailer ?? { sendRaw: async () => ({ ok: false, permanent: false, response: 'this process does not send mail' }), close: async () => {} },
      log,
    });
    if (opts.seed && (await seedIfEmpty(deps.repos.papers))) log.info('seeded an empty catalogue from seeds/papers.json');
    return {
      config,
      log,
      database,
      backend,
      producer,
      mailer,
      deps,
      inboxDir,
      generatedAdminToken,
      embedded: { postgres: Boolean(embedded), queue: !config.redisUrl, mail: !config.smtpUrl },
      close: async () => {
        closing = true;
        for (const c of closers) await c().catch((err) => log.warn({ err: String(err) }, 'error while closing'));
      },
    };
  } catch (err) {
    for (const c of closers) await c().catch(() => {});
    throw err;
  }
}
