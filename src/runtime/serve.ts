import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { publicUrlIsLocal, type Config } from '../config.js';
import { redisClient } from './redis.js';
import { buildApp } from '../http/app.js';
import { httpParts } from './http-parts.js';
import { startOutboxRelay } from '../jobs/outbox-relay.js';
import { withTimeout } from '../jobs/queues.js';
import { startWorkers, upsertSchedules } from '../jobs/worker.js';
import { createRuntime, type Runtime } from './index.js';
import { processorsOf } from './jobs.js';
import { createSnsClient } from '../mail/sns.js';
import type { Agent } from 'node:https';
import type { DestinationStream } from 'pino';

/** Open SMTP transactions get this long to finish on SIGTERM before the connections are closed under them. */
const STOP_GRACE_MS = 10_000;

/** Where a worker proves it is alive (the container healthcheck reads its age). */
const HEARTBEAT_FILE = join(tmpdir(), 'papermail-worker.heartbeat');

function startHeartbeat(alive: () => boolean): () => void {
  const beat = () => void (alive() ? writeFile(HEARTBEAT_FILE, new Date().toISOString()).catch(() => {}) : undefined);
  beat();
  const timer = setInterval(beat, 15_000);
  timer.unref();
  return () => clearInterval(timer);
}

export interface Served {
  runtime: Runtime;
  app: FastifyInstance | null;
  /** The URL the API listens on, when it runs. */
  address: string | null;
  close(): Promise<void>;
}

/**
 * Starts the API, the worker (with its schedules), or both, on one runtime. Closing stops in this order:
 * the HTTP server; the send pipeline (claims nothing more, lets open transactions finish, hands back
 * what it has not started); the queue workers; the outbox relay; then the runtime's pools and servers.
 */
/** Adapters a test may put in place of the real ones. */
export interface ServeAdapters {
  /** The https agent of the SNS certificate and SubscribeURL fetches (a test's reaches a local server). */
  snsAgent?: Agent;
  /** Where the log lines go (standard output without it). */
  logDestination?: DestinationStream;
}

export async function serve(base: Config, roles: { api: boolean; worker: boolean; quiet?: boolean }, adapters: ServeAdapters = {}): Promise<Served> {
  const rt = await createRuntime(base, { sendsMail: roles.worker, seed: true, logDestination: adapters.logDestination });
  const { config, log } = rt;
  // Not refused (labs and tests run this way), but a reader's confirmation link would point at their own machine.
  if (config.production && publicUrlIsLocal(config.publicUrl))
    log.warn(`PUBLIC_URL is ${config.publicUrl}: every link in mail (confirm, unsubscribe) points at the reader's own machine. Set PUBLIC_URL to the https address readers reach; npm run doctor checks it.`);
  const closers: (() => Promise<void>)[] = [];
  const relay = startOutboxRelay(
    rt.repos.outbox,
    (rows) => rt.producer.sendTransactional(rows.map((row) => ({ job: { kind: row.kind, subscriberId: row.subscriberId }, jobId: row.jobId }))),
    log,
  );
  relay.kick();
  let smtpCheck: Promise<void> | null = null;
  if (roles.worker) {
    const workers = startWorkers(processorsOf(rt.jobs, rt.pipeline!), rt.backend, rt);
    closers.push(async () => {
      await rt.pipeline!.stop(STOP_GRACE_MS);
      await workers.close();
    });
    await upsertSchedules(rt);
    const stopBeat = startHeartbeat(() => workers.workers.every((w) => w.isRunning()));
    closers.unshift(async () => stopBeat());
    // A wrong password or host should be seen at start, not after an edition; it does not stop the service.
    smtpCheck = withTimeout(rt.mailer!.verify(), 20_000, 'The SMTP server');
    smtpCheck.catch((err: Error) => log.error({ err: err.message }, 'SMTP check failed: mail will not leave until SMTP_URL is fixed (editions pause rather than suppress anyone)'));
  }
  closers.push(() => relay.stop());
  let app: FastifyInstance | null = null;
  let address: string | null = null;
  if (roles.api) {
    // The per-IP signup limits count in Redis when there is one, so that several API processes share them.
    // No offline queue and no retries: a Redis that is down skips the limit at once (see routes/signup.ts).
    const rateLimitRedis = config.redisUrl ? redisClient(config.redisUrl, config.redisCluster, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000 }) : null;
    if (rateLimitRedis) {
      rateLimitRedis.on('error', () => {});
      closers.push(async () => void rateLimitRedis.disconnect());
    }
    app = await buildApp(
      httpParts(rt, {
        rateLimitRedis,
        readiness: {
          postgres: async () => void (await rt.database.db.execute(sql`select 1`)),
          queue: () => rt.backend.ping(),
        },
        advisories: smtpCheck ? { smtp: () => smtpCheck! } : {},
        mailOwed: () => relay.kick(),
        sns: createSnsClient({ agent: adapters.snsAgent }),
      }),
    );
    if (config.bounces.webhookSecret && !config.bounces.snsVerifySignatures)
      log.warn('SNS_VERIFY_SIGNATURES=false: the bounce webhook believes SNS messages without checking their signature. Anyone who learns WEBHOOK_SECRET can suppress any address. Use this only in a lab.');
    address = await app.listen({ port: config.port, host: config.host });
    const listening = app;
    closers.unshift(() => listening.close());
    const lines = [
      '',
      `papermail is running (${[roles.api && 'API', roles.worker && 'worker and scheduler'].filter(Boolean).join(', ')})`,
      `  Signup page:  ${config.publicUrl}/`,
      roles.api ? `  Console:      ${config.publicUrl}/admin   (sign in with the admin token)` : '',
      rt.inboxDir
        ? config.devInbox
          ? `  Dev inbox:    ${config.publicUrl}/dev/inbox   (SMTP_URL unset: mail is caught, not sent)`
          : `  Caught mail:  ${rt.inboxDir}   (not served: HOST is not loopback; DEV_INBOX=true serves it to anyone who can reach you)`
        : `  Mail via:     ${new URL(config.smtpUrl!).host}`,
      `  Listening on: ${config.host}:${config.port}${/^(127\.|localhost|::1)/.test(config.host) ? '   (this machine only; HOST=0.0.0.0 exposes it)' : ''}`,
      `  Postgres:     ${rt.embedded.postgres ? `embedded, data in ${config.dataDir}` : 'DATABASE_URL'}`,
      `  Queue:        BullMQ on ${rt.embedded.queue ? 'Postgres' : 'Redis (REDIS_URL)'}`,
      rt.generatedAdminToken ? `  Admin token:  ${rt.generatedAdminToken}   (generated; kept in ${config.dataDir}/secrets.json)` : '',
      rt.generatedAdminToken
        ? `  Try:          curl -X POST -H 'Authorization: Bearer ${rt.generatedAdminToken}' -H 'Content-Type: application/json' -d '{"frequency":"daily"}' ${config.publicUrl}/api/admin/editions`
        : '',
      rt.generatedMetricsToken ? `  Metrics:      curl -H 'Authorization: Bearer ${rt.generatedMetricsToken}' ${config.publicUrl}/metrics   (generated; METRICS_TOKEN sets one)` : '',
      '',
    ];
    if (!roles.quiet) console.log(lines.filter((l, i) => l !== '' || i === 0 || i === lines.length - 1).join('\n'));
  } else {
    log.info('worker running');
  }
  closers.push(() => rt.close());
  let closed: Promise<void> | null = null;
  return {
    runtime: rt,
    app,
    address,
    close: () =>
      (closed ??= (async () => {
        // Close everything even when one part fails: a dropped connection must not keep the rest open.
        for (const c of closers) await c().catch((err) => rt.log.warn({ err: String(err) }, 'error while closing'));
      })()),
  };
}
