// The counters behind the per-inbox throttle and the confirmation ceiling (src/db/rate-limits.ts): calls that
// arrive together share one statement, and each is still answered as rate-limiter-flexible would answer it
// alone. Real Postgres; the counts are read back from the `rate_limits` table.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimits, type RateLimits } from '../../src/db/rate-limits.js';
import { createTestDatabase } from '../helpers/database.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let limits: RateLimits;
beforeAll(async () => {
  db = await createTestDatabase();
  limits = createRateLimits(db.pool, 'test-secret-test-secret-test-secret-00', { mailboxPerDay: 3, confirmsPerHour: 4 });
});
afterAll(async () => db?.drop());

const counters = async (prefix: string) =>
  (await db.db.execute<{ points: number }>(sql`select points from rate_limits where key like ${`${prefix}:%`} order by key`)).rows.map((r) => r.points);

describe('counters written in batches', () => {
  it('lets exactly 3 of 20 concurrent mails to one inbox through, however it is spelled, and counts all 20', async () => {
    const spellings = Array.from({ length: 20 }, (_, i) => (i % 2 ? `flood+${i}@victim.example` : `FLOOD+${i}@Victim.Example`));
    const taken = await Promise.all(spellings.map((e) => limits.mailbox.take(e)));
    expect(taken.filter(Boolean)).toHaveLength(3);
    // The library counts refused calls too, as it does one at a time.
    expect(await counters('mailbox')).toEqual([20]);
  });

  it('keeps inboxes that share a batch apart', async () => {
    const inboxes = Array.from({ length: 30 }, (_, i) => `reader${i}@example.org`);
    // Each inbox twice, interleaved: 60 calls, 30 keys, in the same batches.
    const taken = await Promise.all([...inboxes, ...inboxes].map((e) => limits.mailbox.take(e)));
    expect(taken.every(Boolean)).toBe(true);
    const rows = await db.db.execute<{ n: number }>(sql`select count(*)::int as n from rate_limits where key like 'mailbox:%' and points = 2`);
    expect(rows.rows[0]!.n).toBe(30);
  });

  it('gives refunds back in the same batches as takes', async () => {
    const email = 'refunded@example.org';
    await Promise.all([limits.mailbox.take(email), limits.mailbox.take(email), limits.mailbox.take(email)]);
    // Full: a fourth is refused (4). Two refunds and then a take, together: 3, 2, then 3 again, allowed.
    expect(await limits.mailbox.take(email)).toBe(false);
    const [, , third] = await Promise.all([limits.mailbox.refund(email), limits.mailbox.refund(email), limits.mailbox.take(email)]);
    expect(third).toBe(true);
    // Full again: 4 and 5.
    expect(await Promise.all([limits.mailbox.take(email), limits.mailbox.take(email)])).toEqual([false, false]);
  });

  it('starts a passed window again from the calls of the batch that finds it passed', async () => {
    const email = 'next-day@example.org';
    await Promise.all(Array.from({ length: 5 }, () => limits.mailbox.take(email)));
    expect(await limits.mailbox.take(email)).toBe(false);
    // The day is over.
    await db.db.execute(sql`update rate_limits set expire = ${Date.now() - 1000} where key like 'mailbox:%' and points >= 6`);
    const taken = await Promise.all(Array.from({ length: 5 }, () => limits.mailbox.take(email)));
    expect(taken.filter(Boolean)).toHaveLength(3);
  });

  it('hands out the confirmation ceiling one slot at a time, and says how long to wait for the next', async () => {
    const waits = await Promise.all(Array.from({ length: 10 }, () => limits.confirmations.wait()));
    expect(waits.filter((w) => w === 0)).toHaveLength(4);
    for (const w of waits.filter((w) => w > 0)) {
      // An hour's window: the next slot comes at its end.
      expect(w).toBeGreaterThan(3_500_000);
      expect(w).toBeLessThanOrEqual(3_600_000);
    }
    expect(await counters('confirm')).toEqual([10]);
  });
});
