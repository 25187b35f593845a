// Upgrades keep every reader. For each earlier migration: a database migrated that far (on PostgreSQL 14,
// the oldest major supported), filled with real rows as that version of the schema held them (readers in
// every state, consents, papers, an edition and its deliveries, suppressions, bounces, feedback, owed mail);
// then the rest of the migrations, as `npm start` applies them. Every row must still be there with every
// column it had, the readers' schedules must be computed, and the service must run on it: an edition goes to
// the readers who should get it, and to nobody else.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { migrateDatabase, migrationFiles } from '../../src/db/migrate.js';
import { serve } from '../../src/runtime/serve.js';
import { EMBEDDED, startPostgres, type PostgresServer } from '../helpers/postgres-servers.js';
import { QUIET_ENV } from '../helpers/services.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

type Row = Record<string, string | number | null>;
/** A fixture row: its table, its values (a column the schema lacks at that version is left out), and what it needs. */
interface FixtureRow {
  table: string;
  values: (ids: Map<string, number>) => Row;
  /** A name for the id it gets, so later rows can point at it. */
  as?: string;
  /** An enum value this row needs (frequency 'paused' came with migration 0002). */
  needs?: [string, string];
}

const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const reader = (email: string, as: string, values: Row, needs?: [string, string]): FixtureRow => ({
  table: 'subscribers',
  as,
  needs,
  values: () => ({ email, consent_at: ago(30), consent_ip: '203.0.113.7', created_at: ago(30), topics: '[]', send_hour: 7, timezone: 'Europe/Berlin', send_day: 3, ...values }),
});
const FIXTURE: FixtureRow[] = [
  ...[1, 2, 3].map((n) => ({
    table: 'papers',
    values: () => ({
      id: `2512.0000${n}`,
      title: `Paper ${n} on diffusion`,
      abstract: `Abstract ${n}.`,
      authors: '["Ada Lovelace", "Alan Turing"]',
      upvotes: 10 * n,
      source: 'hf',
      sources: '["hf"]',
      links: `{"arxiv": "https://arxiv.org/abs/2512.0000${n}"}`,
      first_seen_at: ago(0),
      published_at: ago(1),
      keywords: '["diffusion"]',
      categories: '["cs.LG"]',
      organization: 'Example Lab',
    }),
  })),
  reader('active@example.org', 'active', { status: 'active', frequency: 'daily', confirmed_at: ago(29), topics: '["cs.LG"]' }),
  reader('weekly@example.org', 'weekly', { status: 'active', frequency: 'weekly', confirmed_at: ago(29) }),
  reader('paused@example.org', 'paused', { status: 'active', frequency: 'paused', confirmed_at: ago(29) }, ['frequency', 'paused']),
  reader('pending@example.org', 'pending', { status: 'pending', confirm_sent_at: ago(1) }),
  reader('left@example.org', 'left', { status: 'unsubscribed', confirmed_at: ago(29), unsubscribed_at: ago(2) }),
  reader('gone@example.org', 'gone', { status: 'suppressed', confirmed_at: ago(29) }),
  ...['active', 'weekly', 'pending', 'left'].map((who) => ({ table: 'consents', values: (ids: Map<string, number>) => ({ subscriber_id: ids.get(who)!, kind: 'signup', ip: '203.0.113.7', user_agent: 'Mozilla/5.0', form_version: 'signup-form-v2', at: ago(30) }) })),
  { table: 'consents', values: (ids) => ({ subscriber_id: ids.get('active')!, kind: 'confirm', ip: '203.0.113.7', user_agent: 'Mozilla/5.0', form_version: 'confirm-button-v1', at: ago(29) }) },
  {
    table: 'editions',
    as: 'edition',
    values: () => ({ frequency: 'daily', period: ago(3).slice(0, 10), status: 'sent', paper_ids: '["2512.00001", "2512.00002"]', subject: 'Trending papers', note: null, created_at: ago(3), built_at: ago(3), finished_at: ago(3) }),
  },
  {
    table: 'deliveries',
    values: (ids) => ({ edition_id: ids.get('edition')!, subscriber_id: ids.get('active')!, status: 'sent', attempts: 1, paper_ids: '["2512.00001", "2512.00002"]', message_id: 'daily.1.abc@papermail.localhost', sent_at: ago(3), slot: `daily:${ago(3).slice(0, 10)}`, created_at: ago(3) }),
  },
  {
    table: 'deliveries',
    values: (ids) => ({ edition_id: ids.get('edition')!, subscriber_id: ids.get('gone')!, status: 'failed', attempts: 1, last_response: '550 5.1.1 <g***@example.org>: no such user', slot: `daily:${ago(3).slice(0, 10)}`, created_at: ago(3) }),
  },
  { table: 'suppressions', values: () => ({ email: 'gone@example.org', reason: 'bounce', detail: '550 5.1.1 no such user', source: 'smtp', created_at: ago(3) }) },
  { table: 'bounce_events', values: () => ({ email: 'gone@example.org', kind: 'hard', source: 'smtp', detail: '550 5.1.1', at: ago(3) }) },
  { table: 'feedback', values: (ids) => ({ subscriber_id: ids.get('active')!, paper_id: '2512.00001', choice: 'more', at: ago(2) }) },
  { table: 'outbox', values: (ids) => ({ kind: 'confirm', subscriber_id: ids.get('pending')!, job_id: `confirm-${ids.get('pending')}-1`, attempts: 0 }) },
];
const TABLES = [...new Set(FIXTURE.map((f) => f.table))];

/** Columns of each table at this version of the schema, and the NOT NULL ones without a default. */
async function columnsOf(client: pg.Client) {
  const res = await client.query<{ table_name: string; column_name: string; required: boolean }>(`
    select table_name, column_name, is_nullable = 'NO' and column_default is null and is_identity = 'NO' as required
    from information_schema.columns where table_schema = 'public'`);
  const out = new Map<string, { all: Set<string>; required: Set<string> }>();
  for (const r of res.rows) {
    const t = out.get(r.table_name) ?? { all: new Set(), required: new Set() };
    t.all.add(r.column_name);
    if (r.required) t.required.add(r.column_name);
    out.set(r.table_name, t);
  }
  return out;
}

/** Writes the fixture as this version of the schema can hold it; returns what was written, per table. */
async function fill(client: pg.Client): Promise<Map<string, number>> {
  const columns = await columnsOf(client);
  const enums = new Set((await client.query<{ v: string }>(`select t.typname || '.' || e.enumlabel as v from pg_enum e join pg_type t on t.oid = e.enumtypid`)).rows.map((r) => r.v));
  const ids = new Map<string, number>();
  const written = new Map<string, number>();
  for (const f of FIXTURE) {
    const table = columns.get(f.table);
    if (!table || (f.needs && !enums.has(f.needs.join('.')))) continue;
    const row = Object.fromEntries(Object.entries(f.values(ids)).filter(([k]) => table.all.has(k)));
    const missing = [...table.required].filter((c) => !(c in row));
    if (missing.length) throw new Error(`the fixture gives ${f.table} no ${missing.join(', ')}: extend it for this migration`);
    const keys = Object.keys(row);
    const res = await client.query(
      `insert into ${f.table} (${keys.map((k) => `"${k}"`).join(', ')}) values (${keys.map((_, i) => `$${i + 1}`).join(', ')}) ${table.all.has('id') ? 'returning id' : ''}`,
      Object.values(row),
    );
    if (f.as) ids.set(f.as, Number(res.rows[0].id));
    written.set(f.table, (written.get(f.table) ?? 0) + 1);
  }
  // From migration 0006 on, the service schedules a reader when it confirms them: so do the rows written here.
  if (columns.get('subscribers')!.all.has('next_send_at'))
    await client.query(`update subscribers set next_send_at = papermail_next_send(timezone, send_hour, frequency = 'weekly', send_day, now()) where status = 'active' and frequency <> 'paused'`);
  return written;
}

/** Every row of the fixture's tables, as JSON objects, in a stable order. */
async function snapshot(client: pg.Client): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const t of TABLES) {
    const exists = (await client.query(`select to_regclass('public.${t}') as r`)).rows[0].r;
    if (!exists) continue;
    const rows = (await client.query<{ j: Record<string, unknown> }>(`select row_to_json(x) as j from ${t} x`)).rows.map((r) => r.j);
    out.set(t, rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  }
  return out;
}

/** The rows restricted to the columns the two snapshots share: what an upgrade must keep as it was. */
const common = (rows: Record<string, unknown>[], keep: Set<string>) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => keep.has(k)))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

let server: PostgresServer;
let sink: SmtpSink;
beforeAll(async () => {
  server = await startPostgres(EMBEDDED[0]!);
  sink = await startSmtpSink();
}, 120_000);
afterAll(async () => {
  await sink?.close();
  await server?.stop();
});

const files = migrationFiles();
describe(`an upgrade from each of the ${files.length - 1} earlier migrations, on PostgreSQL ${EMBEDDED[0]!.major}`, () => {
  it.each(files.slice(0, -1).map((_m, k) => k + 1))('from migration %i of the committed ones', async (upTo) => {
    const url = await server.createDatabase(`upgrade_${upTo}`);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await migrateDatabase(pool, { upTo });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const written = await fill(client);
      expect(written.get('subscribers')).toBeGreaterThanOrEqual(5);
      const before = await snapshot(client);
      await migrateDatabase(pool);
      const after = await snapshot(client);
      for (const [table, rows] of before) {
        const now = after.get(table)!;
        expect(now, table).toHaveLength(rows.length);
        const shared = new Set(Object.keys(rows[0] ?? {}).filter((k) => k in (now[0] ?? {})));
        expect(common(now, shared), table).toEqual(common(rows, shared));
      }
      // Meaning, not only bytes: readers who get mail are scheduled; nobody else is.
      const schedule = await client.query<{ email: string; scheduled: boolean }>(`select email, next_send_at is not null as scheduled from subscribers order by email`);
      for (const r of schedule.rows) expect(r.scheduled, r.email).toBe(['active@example.org', 'weekly@example.org'].includes(r.email));
      expect((await client.query(`select count(*)::int as n from deliveries where slot is null`)).rows[0].n).toBe(0);
    } finally {
      await client.end();
      await pool.end();
    }

    // The service runs on it: the day's edition reaches the one daily reader, once, and nobody else.
    const served = await serve(
      loadConfig({ ...QUIET_ENV, DATABASE_URL: url, SMTP_URL: sink.url, SECRET: 'upgrade-secret-upgrade-secret-upgrade-0', ADMIN_TOKEN: 'upgrade-admin-token-0123', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', PUBLIC_URL: 'https://papermail.test', QUEUE_PREFIX: `u${upTo}` }),
      { api: true, worker: true, quiet: true },
    );
    try {
      const res = await fetch(`${served.address}/api/admin/editions`, { method: 'POST', headers: { authorization: 'Bearer upgrade-admin-token-0123', 'content-type': 'application/json' }, body: JSON.stringify({ frequency: 'daily', force: true }) });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: number };
      const db = served.runtime.database.db;
      await expect.poll(async () => (await db.execute<{ status: string }>(sql`select status::text from editions where id = ${id}`)).rows[0]!.status, { timeout: 30_000, interval: 100 }).toBe('sent');
      const sent = await db.execute<{ email: string }>(sql`select s.email from deliveries d join subscribers s on s.id = d.subscriber_id where d.edition_id = ${id} and d.status = 'sent'`);
      expect(sent.rows.map((r) => r.email)).toEqual(['active@example.org']);
    } finally {
      await served.close();
    }
  });
});
