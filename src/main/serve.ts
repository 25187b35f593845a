import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { buildApp } from '../http/app.js';
import { startWorkers, upsertSchedules } from '../jobs/worker.js';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createRuntime, type Runtime } from '../runtime/index.js';

/** Where a worker proves it is alive (the container healthcheck reads its age). */
export const HEARTBEAT_FILE = join(tmpdir(), 'papermail-worker.heartbeat');

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

/** Starts the API, the worker (with its schedules), or both, on one runtime. */
export async function serve(base: Config, roles: { api: boolean; worker: boolean; quiet?: boolean }): Promise<Served> {
  const rt = await createRuntime(base, { sendsMail: roles.worker, seed: true });
  const { config, log } = rt;
  const closers: (() => Promise<void>)[] = [];
  if (roles.worker) {
    const workers = startWorkers(rt.deps, rt.backend);
    closers.push(() => workers.close());
    await upsertSchedules(rt.deps);
    const stopBeat = startHeartbeat(() => workers.workers.every((w) => w.isRunning()));
    closers.unshift(async () => stopBeat());
  }
  let app: FastifyInstance | null = null;
  let address: string | null = null;
  if (roles.api) {
    app = await buildApp({
      config,
      repos: rt.deps.repos,
      producer: rt.producer,
      tokens: rt.deps.tokens,
      inboxDir: rt.inboxDir,
      logger: { level: config.logLevel === 'info' ? 'warn' : config.logLevel },
      readiness: {
        postgres: async () => void (await rt.database.db.execute(sql`select 1`)),
        queue: () => rt.backend.ping(),
      },
    });
    address = await app.listen({ port: config.port, host: config.host });
    const listening = app;
    closers.unshift(() => listening.close());
    const lines = [
      '',
      `papermail is running (${[roles.api && 'API', roles.worker && 'worker and scheduler'].filter(Boolean).join(', ')})`,
      `  Signup page:  ${config.publicUrl}/`,
      rt.inboxDir ? `  Dev inbox:    ${config.publicUrl}/dev/inbox   (SMTP_URL unset: mail is caught, not sent)` : `  Mail via:     ${new URL(config.smtpUrl!).host}`,
      `  Postgres:     ${rt.embedded.postgres ? `embedded, data in ${config.dataDir}` : 'DATABASE_URL'}`,
      `  Queue:        BullMQ on ${rt.embedded.queue ? 'Postgres' : 'Redis (REDIS_URL)'}`,
      rt.generatedAdminToken ? `  Admin token:  ${rt.generatedAdminToken}   (generated; kept in ${config.dataDir}/secrets.json)` : '',
      rt.generatedAdminToken
        ? `  Try:          curl -X POST -H 'Authorization: Bearer ${rt.generatedAdminToken}' -H 'Content-Type: application/json' -d '{"frequency":"daily"}' ${config.publicUrl}/api/admin/editions`
        : '',
      '',
    ];
    if (!roles.quiet) console.log(lines.filter((l, i) => l !== '' || i === 0 || i === lines.length - 1).join('\n'));
  } else {
    log.info('worker running');
  }
  closers.push(() => rt.close());
  return {
    runtime: rt,
    app,
    address,
    close: async () => {
      // Close everything even when one part fails: a dropped connection must not keep the rest open.
      for (const c of closers) await c().catch((err) => rt.log.warn({ err: String(err) }, 'error while closing'));
    },
  };
}
