import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config.js';
import type { Repos } from '../db/repos.js';
import type { Tokens } from '../domain/tokens.js';
import { createDigestComposer } from '../jobs/compose-digest.js';
import type { Producer } from '../jobs/queues.js';
import { createSendPipeline, type SendPipeline } from '../jobs/send-batch.js';
import { startDevCatcher } from '../mail/dev-catcher.js';
import { envelopeAddress, type Mailer } from '../mail/mailer.js';
import { createSmtpMailer } from '../mail/smtp-mailer.js';
import type { Metrics } from './metrics.js';
import { redisClient } from './redis.js';
import { createSendPace } from './send-pace.js';

/** What a process that sends mail adds: the SMTP transport (or the dev catcher) and the digest send pipeline. */
export interface Sending {
  mailer: Mailer;
  pipeline: SendPipeline;
}

/**
 * Opens the sending side: the dev catcher when SMTP_URL is unset, the provider's pace (shared through Redis
 * or Postgres by every worker), the SMTP pool, and the pipeline over the deliveries. Each opened part's
 * closer is added to `closers`.
 */
export async function openSending(parts: {
  config: ResolvedConfig;
  repos: Repos;
  producer: Producer;
  tokens: Tokens;
  metrics: Metrics;
  log: Logger;
  now: () => Date;
  counterPool: pg.Pool;
  inboxDir: string | null;
  /** Marks an edition sent when its ledger balances. */
  finish(id: number): Promise<boolean>;
  closers: (() => Promise<unknown>)[];
}): Promise<Sending> {
  const { config, repos, producer, tokens, metrics, log, now, closers } = parts;
  let smtpUrl = config.smtpUrl;
  if (!smtpUrl) {
    const catcher = await startDevCatcher(parts.inboxDir!);
    closers.unshift(() => catcher.close());
    smtpUrl = catcher.url;
  }
  // The provider's rate, shared by every worker: digests, retries and transactional mail all wait for it.
  let paceRedis: Redis | Cluster | null = null;
  if (config.redisUrl && (config.send.rate || config.send.ratePerDomain)) {
    const client = redisClient(config.redisUrl, config.redisCluster, { maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    closers.unshift(async () => void client.disconnect());
    paceRedis = client;
  }
  const pace = createSendPace({ rate: config.send.rate, perDomain: config.send.ratePerDomain, redis: paceRedis, pool: parts.counterPool, prefix: config.queuePrefix });
  const mailer = createSmtpMailer(smtpUrl, { poolSize: config.send.poolSize, dkim: config.dkim, pace });
  closers.unshift(() => mailer.close());
  /** Queues the alert of an edition's pause (once per event); a queue that does not answer is logged, not fatal. */
  const alert = (editionId: number, detail: string) =>
    producer
      .alert({ kind: 'alert', editionId, event: 'paused', detail }, `${editionId}-paused-${now().getTime()}`)
      .catch((err: Error) => log.warn({ editionId, err: err.message }, 'could not queue the alert'));
  const pipeline = createSendPipeline(
    {
      store: {
        ...repos.deliveries,
        pausedIds: () => repos.pauses.pausedIds(),
        // The breaker opened: the edition pauses, its first probe is due after the cooldown, and a person is told.
        pause: async (id, reason, stormSignature) => {
          const paused = await repos.pauses.pause(id, reason, { kind: 'breaker', stormSignature, probeInSeconds: config.send.pause.cooldownSeconds });
          if (paused) await alert(id, reason);
          return paused;
        },
        finish: (id) => parts.finish(id).then(() => {}),
      },
      mailer,
      compose: createDigestComposer({ template: repos.renders.template, tokens, publicUrl: config.publicUrl, mailFrom: config.mailFrom, secret: config.secret }),
      log,
      now,
      envelopeFrom: envelopeAddress(config.mailFrom),
      observe: metrics.observeSend,
      observePace: metrics.observePace,
    },
    {
      lanes: config.send.poolSize,
      claimChunk: 100,
      leaseSeconds: config.send.leaseSeconds,
      maxAttempts: config.send.maxAttempts,
      retryBaseMs: config.send.retryBaseMs,
      transportDelayMs: config.send.transportRetrySeconds * 1000,
      resultGroupMs: config.send.resultGroupMs,
      breaker: {
        consecutive: config.send.pause.afterFailures,
        transportRate: config.send.pause.failureRate,
        stormRate: config.send.pause.stormRate,
        window: config.send.pause.window,
        minSample: 20,
      },
    },
  );
  return { mailer, pipeline };
}
