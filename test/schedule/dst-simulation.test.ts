// Ten days and more around real DST transitions, with the injected clock and real Postgres, ticking the
// delivery job every 5 minutes as the scheduler does. Every reader, in every zone, gets exactly one digest per
// local day (weekly readers: per local week, on their day) within 5 minutes of their local send time, dated
// with their local date; a worker down from 06:00 to 10:00 UTC is caught up once, at 10:00.
// The expected instants come from Intl (the JavaScript runtime's tzdata), independently of Postgres.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime/index.js';
import { createTestDatabase } from '../helpers/database.js';
import { QUIET_ENV } from '../helpers/services.js';

type Reader = { email: string; tz: string; hour: number; frequency?: 'daily' | 'weekly'; day?: number };
const READERS: Reader[] = [
  { email: 'berlin2@example.org', tz: 'Europe/Berlin', hour: 2 },
  { email: 'berlin8@example.org', tz: 'Europe/Berlin', hour: 8 },
  { email: 'london8@example.org', tz: 'Europe/London', hour: 8 },
  { email: 'ny1@example.org', tz: 'America/New_York', hour: 1 },
  { email: 'ny19@example.org', tz: 'America/New_York', hour: 19 },
  { email: 'lordhowe1@example.org', tz: 'Australia/Lord_Howe', hour: 1 },
  { email: 'lordhowe2@example.org', tz: 'Australia/Lord_Howe', hour: 2 },
  { email: 'kolkata8@example.org', tz: 'Asia/Kolkata', hour: 8 },
  { email: 'kathmandu8@example.org', tz: 'Asia/Kathmandu', hour: 8 },
  { email: 'stjohns8@example.org', tz: 'America/St_Johns', hour: 8 },
  { email: 'tokyo8@example.org', tz: 'Asia/Tokyo', hour: 8 },
  { email: 'auckland8@example.org', tz: 'Pacific/Auckland', hour: 8 },
  { email: 'auckland-weekly@example.org', tz: 'Pacific/Auckland', hour: 8, frequency: 'weekly', day: 1 },
  { email: 'kiritimati8@example.org', tz: 'Pacific/Kiritimati', hour: 8 },
  { email: 'pagopago8@example.org', tz: 'Pacific/Pago_Pago', hour: 8 },
  { email: 'friday@example.org', tz: 'America/New_York', hour: 8, frequency: 'weekly', day: 5 },
];

const FIVE_MIN = 5 * 60_000;
const QUARTER = 15 * 60_000;
const wall = (at: Date, tz: string) => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute), weekday: p.weekday! };
};
const WEEKDAY = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * Every local send instant of a reader in [from, to): on each local day (or their weekday), the minute at which
 * the wall clock first reaches the hour. A skipped hour lands on the first valid minute after it; a repeated
 * one counts once, the first time.
 */
function expectedSends(r: Reader, from: Date, to: Date): { date: string; at: Date }[] {
  const out: { date: string; at: Date }[] = [];
  let last = '';
  // Every zone's offset, and every jump of one, is a multiple of 15 minutes, and send hours are whole: the
  // first minute at or past a local hour always falls on a quarter hour of UTC. Looking at those alone finds
  // the same instants as looking at every minute, in a fifteenth of the time.
  for (let t = from.getTime(); t < to.getTime(); t += QUARTER) {
    const w = wall(new Date(t), r.tz);
    if (w.date === last || w.minutes < r.hour * 60) continue;
    const before = wall(new Date(t - QUARTER), r.tz);
    if (before.date === w.date && before.minutes >= r.hour * 60) continue;
    if (r.frequency === 'weekly' && WEEKDAY.indexOf(w.weekday) + 1 !== (r.day ?? 1)) continue;
    // The first minute of this local date at or past the hour: a skipped hour lands on the first valid minute.
    last = w.date;
    out.push({ date: w.date, at: new Date(t) });
  }
  return out;
}

let rt: Runtime;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let clock = new Date('2026-03-25T00:00:00Z');
let paperSeq = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({
    ...QUIET_ENV,
    DATABASE_URL: db.url,
    SECRET: 'schedule-secret-schedule-secret-0123456',
    ADMIN_TOKEN: 'schedule-admin-token-0123',
    QUEUE_PREFIX: `s${Date.now().toString(36)}`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'papermail-schedule-')),
    DIGEST_SIZE: '2',
    LOG_LEVEL: 'silent',
  });
  rt = await createRuntime(config, { sendsMail: false, seed: false, now: () => clock });
  for (const r of READERS)
    await rt.database.db.execute(sql`
      insert into subscribers (email, status, frequency, send_hour, send_day, timezone, timezone_chosen, confirmed_at)
      values (${r.email}, 'active', ${r.frequency ?? 'daily'}, ${r.hour}, ${r.day ?? 1}, ${r.tz}, true, now())`);
}, 120_000);
afterAll(async () => {
  await rt?.close();
  await db?.drop();
});

/** New papers every 6 simulated hours, so no reader runs out of papers they have not had. */
async function freshPapers(at: Date) {
  const batch = Array.from({ length: 8 }, () => {
    paperSeq++;
    return { id: `2603.${String(paperSeq).padStart(5, '0')}`, title: `Paper ${paperSeq}`, abstract: 'An abstract.', authors: ['A'], upvotes: paperSeq, links: {}, source: 'test' };
  });
  await rt.repos.papers.upsert(batch);
  await rt.database.db.execute(sql`update papers set first_seen_at = ${at.toISOString()} where id = any(${sql.param(batch.map((p) => p.id))}::text[])`);
}

type Row = { email: string; slot: string; status: string; dueAt: Date; day: string | null; assignedAt: Date };
/** Ticks every 5 minutes from `from` to `to`, except while the worker is "down"; returns each new delivery with the tick that made it. */
async function simulate(from: Date, to: Date, down?: [Date, Date]): Promise<Row[]> {
  await rt.repos.subscribers.reschedule(null, from);
  const rows: Row[] = [];
  let lastId = Number((await rt.database.pool.query('select coalesce(max(id), 0) as m from deliveries')).rows[0].m);
  for (let t = from.getTime(); t < to.getTime(); t += FIVE_MIN) {
    clock = new Date(t);
    if (t % (6 * 3600_000) === 0) await freshPapers(clock);
    if (down && t >= down[0].getTime() && t < down[1].getTime()) continue;
    await rt.jobs.deliverDue();
    const fresh = await rt.database.pool.query(
      `select d.id, s.email, d.slot, d.status, d.due_at, d.view->>'day' as day from deliveries d join subscribers s on s.id = d.subscriber_id
       where d.id > $1 order by d.id`,
      [lastId],
    );
    for (const f of fresh.rows) {
      lastId = Math.max(lastId, Number(f.id));
      rows.push({ email: f.email, slot: f.slot, status: f.status, dueAt: new Date(f.due_at), day: f.day, assignedAt: clock });
    }
  }
  return rows;
}


function check(rows: Row[], from: Date, to: Date, late: (r: Reader, at: Date) => number = () => FIVE_MIN) {
  for (const r of READERS) {
    // Days wholly inside the run: the first local day may have started before it.
    const expected = expectedSends(r, new Date(from.getTime() + 24 * 3600_000), new Date(to.getTime() - 3600_000));
    const mine = rows.filter((x) => x.email === r.email && x.status === 'queued');
    const inRange = mine.filter((x) => expected.some((e) => e.at.getTime() === x.dueAt.getTime()));
    expect(inRange.map((x) => x.dueAt.toISOString()), r.email).toEqual(expected.map((e) => e.at.toISOString()));
    // Exactly one per local day or week: no slot twice, nothing skipped.
    expect(new Set(mine.map((x) => x.slot)).size, `${r.email}: a slot twice`).toBe(mine.length);
    expect(rows.filter((x) => x.email === r.email && x.status !== 'queued'), `${r.email}: skipped rows`).toEqual([]);
    for (const e of expected) {
      const got = inRange.find((x) => x.dueAt.getTime() === e.at.getTime())!;
      const delay = got.assignedAt.getTime() - e.at.getTime();
      expect(delay, `${r.email} on ${e.date}`).toBeGreaterThanOrEqual(0);
      expect(delay, `${r.email} on ${e.date}`).toBeLessThan(late(r, e.at));
      // Dated with the reader's own date, in the slot and in the day their digest's subject and date line are made from.
      expect(got.slot).toBe(r.frequency === 'weekly' ? got.slot : `daily:${e.date}`);
      expect(got.day).toBe(e.date);
    }
  }
}

describe('a schedule per reader across DST', () => {
  it('spring 2026: Berlin springs forward on 29 March; Lord Howe and Auckland fall back on 5 April', async () => {
    const from = new Date('2026-03-25T00:00:00Z');
    const to = new Date('2026-04-07T00:00:00Z');
    const rows = await simulate(from, to);
    check(rows, from, to);
    // The Berlin 02:00 reader got the DST Sunday at 03:00 CEST, the first valid instant after 02:00.
    const sunday = rows.find((x) => x.email === 'berlin2@example.org' && x.slot === 'daily:2026-03-29')!;
    expect(sunday.dueAt.toISOString()).toBe('2026-03-29T01:00:00.000Z');
  }, 240_000);

  it('autumn 2026: New York falls back on 1 November (01:00 happens twice, 19:00 falls in the next UTC day); a worker down 06:00-10:00 UTC is caught up once', async () => {
    const from = new Date('2026-10-27T00:00:00Z');
    const to = new Date('2026-11-07T00:00:00Z');
    const down: [Date, Date] = [new Date('2026-11-04T06:00:00Z'), new Date('2026-11-04T10:00:00Z')];
    const rows = await simulate(from, to, down);
    const inDowntime = (at: Date) => at >= down[0] && at < down[1];
    check(rows, from, to, (_r, at) => (inDowntime(at) ? down[1].getTime() - at.getTime() + FIVE_MIN : FIVE_MIN));
    // The readers due while it was down got that day's digest at 10:00, once.
    const caught = rows.filter((x) => inDowntime(x.dueAt));
    expect(caught.map((x) => x.email).sort()).toEqual(['berlin8@example.org', 'london8@example.org', 'ny1@example.org']);
    for (const x of caught) expect(x.assignedAt.toISOString()).toBe('2026-11-04T10:00:00.000Z');
    // 01:00 on the fall-back Sunday is sent once, at the first 01:00 (EDT); 19:00 EST is 00:00 UTC the next day.
    const ny1 = rows.filter((x) => x.email === 'ny1@example.org' && x.slot === 'daily:2026-11-01');
    expect(ny1.map((x) => x.dueAt.toISOString())).toEqual(['2026-11-01T05:00:00.000Z']);
    const ny19 = rows.filter((x) => x.email === 'ny19@example.org' && x.slot === 'daily:2026-11-01');
    expect(ny19.map((x) => x.dueAt.toISOString())).toEqual(['2026-11-02T00:00:00.000Z']);
  }, 240_000);

  it('skips a day that is more than CATCH_UP_HOURS late, with the reason, and moves on', async () => {
    const from = new Date('2026-11-10T00:00:00Z');
    // Down from 05:00 to 20:00 UTC: London's 08:00 is 12 hours late at 20:00, more than the 6-hour window.
    const rows = await simulate(from, new Date('2026-11-12T00:00:00Z'), [new Date('2026-11-11T05:00:00Z'), new Date('2026-11-11T20:00:00Z')]);
    const london = rows.filter((x) => x.email === 'london8@example.org' && x.slot === 'daily:2026-11-11');
    expect(london).toHaveLength(1);
    expect(london[0]).toMatchObject({ status: 'skipped' });
    const reason = await rt.database.pool.query(`select last_response from deliveries d join subscribers s on s.id = d.subscriber_id where s.email = 'london8@example.org' and d.slot = 'daily:2026-11-11'`);
    expect(reason.rows[0].last_response).toMatch(/more than 6 hours before the service could send it/);
    // The next day is on time again.
    const next = (await rt.database.pool.query(`select next_send_at from subscribers where email = 'london8@example.org'`)).rows[0].next_send_at as Date;
    expect(next.toISOString()).toBe('2026-11-12T08:00:00.000Z');
  }, 240_000);

  it('gives each reader one row when three ticks race at the same instant', async () => {
    const from = new Date('2026-11-20T07:00:00Z');
    await rt.repos.subscribers.reschedule(null, from);
    clock = new Date('2026-11-20T08:00:00Z');
    await freshPapers(clock);
    const before = Number((await rt.database.pool.query('select coalesce(max(id), 0) as m from deliveries')).rows[0].m);
    await Promise.all([rt.jobs.deliverDue(), rt.jobs.deliverDue(), rt.jobs.deliverDue()]);
    const rows = (await rt.database.pool.query(`select subscriber_id, slot from deliveries where id > $1`, [before])).rows;
    // Whoever is due at 08:00 UTC (London among them) gets one row per slot, and nobody is left due.
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => `${r.subscriber_id}|${r.slot}`)).size).toBe(rows.length);
    const due = (await rt.database.pool.query(`select count(*)::int as n from subscribers where next_send_at <= $1`, [clock.toISOString()])).rows[0].n;
    expect(due).toBe(0);
  });

  it('tells readers due on a day with no new papers so, in a skipped row, and moves them on', async () => {
    // A year on, no paper is new: the edition is empty.
    await rt.repos.subscribers.reschedule(null, new Date('2027-06-01T00:00:00Z'));
    clock = new Date('2027-06-01T07:00:00Z');
    await rt.jobs.deliverDue();
    const row = await rt.database.pool.query(
      `select d.status, d.last_response, s.next_send_at from deliveries d join subscribers s on s.id = d.subscriber_id where s.email = 'london8@example.org' and d.slot = 'daily:2027-06-01'`,
    );
    expect(row.rows[0]).toMatchObject({ status: 'skipped', last_response: expect.stringMatching(/no new papers/) });
    expect((row.rows[0].next_send_at as Date).toISOString()).toBe('2027-06-02T07:00:00.000Z');
  });
});
