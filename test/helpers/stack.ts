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

/** Waits until the edition has no queued or in-flight delivery and returns its stats. */
export async function waitForEdition(stack: Stack, id: number, timeout = 30_000) {
  return vi.waitFor(
    async () => {
      const stats = (await (await stack.admin(`/editions/${id}`)).json()) as Record<string, unknown>;
      if (!['sent', 'empty'].includes(String(stats.status))) throw new Error(`edition ${id} is ${stats.status}`);
      return stats as { id: number; status: string; recipients: number; sent: number; failed: number; papers: string[] };
    },
    { timeout, interval: 100 },
  );
}

/** Subscribes through the HTTP form and confirms through the link in the caught mail. */
export async function subscribeAndConfirm(stack: Stack, email: string, frequency = 'daily'): Promise<void> {
  const isConfirm = (x: { parsed: { subject?: string } }) => /Confirm/.test(x.parsed.subject ?? '');
  const before = stack.sink.to(email).filter(isConfirm).length;
  const res = await stack.http('/subscribe', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, frequency }).toString(),
  });
  if (res.status !== 200) throw new Error(`signup answered ${res.status}`);
  await stack.sink.waitFor(() => stack.sink.to(email).filter(isConfirm).length > before);
  const confirm = stack.sink.to(email).filter(isConfirm).at(-1)!;
  const link = /https:\/\/papermail\.test\/confirm\/\S+/.exec(confirm.parsed.text ?? '')?.[0];
  if (!link) throw new Error('no confirm link in the confirmation mail');
  // The link shows a page with one button (scanners fetch links); the button's POST confirms.
  const page = await stack.http(link);
  if (page.status !== 200) throw new Error(`confirm page answered ${page.status}`);
  const confirmed = await stack.http(link, { method: 'POST' });
  if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}`);
}

/** Asks for a fresh link to a reader's data from `askUrl` (a preferences or unsubscribe link) and returns the mailed link's path. */
export async function mailedDataLink(stack: Stack, email: string, askUrl: string): Promise<string> {
  const isDataMail = (x: { parsed: { subject?: string } }) => /download or erase/.test(x.parsed.subject ?? '');
  const before = stack.sink.to(email).filter(isDataMail).length;
  const asked = await stack.http(`${askUrl}/data-link`, { method: 'POST' });
  if (asked.status !== 200) throw new Error(`asking for a data link answered ${asked.status}`);
  await stack.sink.waitFor(() => stack.sink.to(email).filter(isDataMail).length > before);
  const link = /https:\/\/papermail\.test(\/data\/\S+)/.exec(stack.sink.to(email).filter(isDataMail).at(-1)!.parsed.text ?? '')?.[1];
  if (!link) throw new Error('no data link in the mail');
  return link;
}

/**
 * A reader with every kind of mail behind them: subscribed and confirmed, sent the day's edition, and
 * mailed a data link. Returns the edition, the reader's links (as paths), and the data link.
 */
export async function readerWithEveryMail(stack: Stack, email: string) {
  await subscribeAndConfirm(stack, email);
  const res = await stack.admin('/editions', { frequency: 'daily' });
  const { id: editionId } = (await res.json()) as { id: number };
  await waitForEdition(stack, editionId);
  const found = await stack.served.runtime.database.pool.query<{ id: number }>('select id from subscribers where email = $1', [email]);
  const tokens = createTokens(stack.env.SECRET!);
  const id = Number(found.rows[0]!.id);
  const links = {
    preferences: `/preferences/${tokens.sign(id, 'preferences')}`,
    unsubscribe: `/unsubscribe/${tokens.sign(id, 'unsubscribe')}`,
    confirm: `/confirm/${await confirmToken(stack, id)}`,
  };
  const data = await mailedDataLink(stack, email, links.preferences);
  return { editionId, links, data };
}

/** A confirmation token for the reader's current signup, as the confirmation mail carries it. */
export async function confirmToken(stack: Pick<Stack, 'served' | 'env'>, id: number): Promise<string> {
  const reader = await stack.served.runtime.repos.subscribers.byId(id);
  return createTokens(stack.env.SECRET!).sign(id, 'confirm', undefined, signupScope(reader?.consentAt ?? null));
}

/** Adds confirmed daily readers straight into the database (for tests about sending, not signing up). */
export async function insertActiveReaders(stack: Stack, emails: string[]): Promise<void> {
  await stack.served.runtime.database.pool.query(
    `insert into subscribers (email, status, frequency, confirmed_at) select e, 'active', 'daily', now() from unnest($1::text[]) as e`,
    [emails],
  );
}

/**
 * Two workers and one edition: a reader signs up and confirms through the API, `readers` more are added
 * active, and every one of them must get the digest exactly once. Returns the edition's id.
 */
export async function sendToEveryoneOnceFromTwoWorkers(stack: Stack, prefix: string, readers: number): Promise<number> {
  await stack.worker();
  await subscribeAndConfirm(stack, `${prefix}@example.org`);
  await insertActiveReaders(stack, Array.from({ length: readers }, (_, i) => `${prefix}-${i}@example.org`));
  const { id } = (await (await stack.admin('/editions', { frequency: 'daily' })).json()) as { id: number };
  const stats = await waitForEdition(stack, id, 120_000);
  expect(stats).toMatchObject({ status: 'sent', sent: readers + 1, failed: 0 });
  const digests = stack.sink.messages.filter((m) => /^Trending papers/.test(m.parsed.subject ?? ''));
  expect(digests).toHaveLength(readers + 1);
  expect(new Set(digests.map((m) => m.envelopeTo[0])).size).toBe(readers + 1);
  return id;
}
