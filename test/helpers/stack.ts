import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTokens, signupScope } from '../../src/domain/tokens.js';
import { serve, type ServeAdapters, type Served } from '../../src/runtime/serve.js';
import { createTestDatabase } from './database.js';
import { editionsOutOfBalance } from './ledger.js';
import { QUIET_ENV } from './services.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

export type BackendKind = 'postgres' | 'redis';
export const PUBLIC_URL = 'https://papermail.test';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface Stack {
  served: Served;
  sink: SmtpSink;
  base: string;
  /** fetch against the running API; absolute PUBLIC_URL links are mapped to it. */
  http(path: string, init?: RequestInit): Promise<Response>;
  admin(path: string, body?: unknown): Promise<Response>;
  /** Extra processes (workers) started on the same database and queues. */
  worker(): Promise<Served>;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts papermail through its real entry point (`serve`) on a fresh database, the chosen queue
 * backend and an in-process SMTP sink. Production-shaped config: every service external.
 */
/** `extraEnv` may be computed from the test database's URL (e.g. to reach it through a pooler). */
export async function startStack(
  kind: BackendKind,
  given: Record<string, string> | ((databaseUrl: string) => Record<string, string>) = {},
  adapters: ServeAdapters = {},
): Promise<Stack> {
  // A DATABASE_URL given as such (another server, another major) is used as it is; else a fresh clone of the suite's template.
  const own = typeof given === 'object' && given.DATABASE_URL ? null : await createTestDatabase();
  const extraEnv = typeof given === 'function' ? given(own!.url) : given;
  const sink = await startSmtpSink();
  const redisUrl = inject('redisUrl');
  if (kind === 'redis' && !redisUrl) throw new Error('redis-server is required for this test');
  const env: Record<string, string> = {
    DATABASE_URL: own?.url ?? '',
    SMTP_URL: sink.url,
    ...(kind === 'redis' ? { REDIS_URL: redisUrl! } : {}),
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    SECRET: 'test-secret-test-secret-test-secret-0123',
    ADMIN_TOKEN,
    PUBLIC_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'papermail-test-data-')),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    SEND_RETRY_BASE_MS: '200',
    ...QUIET_ENV,
    ...extraEnv,
  };
  await own?.close();
  const served = await serve(loadConfig(env), { api: true, worker: true, quiet: true }, adapters);
  const base = served.address!;
  const extra: Served[] = [];
  const http = (path: string, init?: RequestInit) => fetch(path.startsWith(PUBLIC_URL) ? base + path.slice(PUBLIC_URL.length) : base + path, { redirect: 'manual', ...init });
  return {
    served,
    sink,
    base,
    env,
    http,
    admin: (path, body) =>
      http(`/api/admin${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async worker() {
      const w = await serve(loadConfig({ ...env }), { api: false, worker: true, quiet: true });
      extra.push(w);
      return w;
    },
    async close() {
      // Every edition the file sent balances: nothing open, and every reader it targets has a row.
      const unbalanced = await editionsOutOfBalance(served).catch((err: Error) => [`(not checked: ${err.message})`]);
      for (const w of extra) await w.close();
      await served.close();
      await sink.close();
      await own?.drop();
      if (unbalanced.length && !unbalanced[0]!.startsWith('(not checked')) throw new Error(`editions sent out of balance: ${unbalanced.join('; ')}`);
    },
  };
}
