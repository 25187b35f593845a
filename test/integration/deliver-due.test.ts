// Delivery at each reader's hour, with a controlled clock: the hourly job builds the period's edition
// once and sends it to readers whose local hour has come, weeklies on Monday, never to paused readers.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindJobs } from '../../src/runtime/jobs.js';
import { startStack, waitForEdition, type Stack } from '../helpers/stack.js';

let stack: Stack;
// The Monday after today, 07:00 UTC; the wide windows keep today's seed papers in reach.
const monday = (() => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  d.setUTCHours(7, 0, 0, 0);
  return d;
})();
const at = (hoursAfterMonday7: number) => new Date(monday.getTime() + hoursAfterMonday7 * 3_600_000);

beforeAll(async () => {
  stack = await startStack('postgres', { DIGEST_WINDOW_DAILY: '30', DIGEST_WINDOW_WEEKLY: '30' });
  await stack.served.runtime.database.db.execute(sql`
    insert into subscribers (email, status, frequency, send_hour, timezone, confirmed_at) values
      ('utc8@example.org', 'active', 'daily', 8, 'UTC', now()),
      ('berlin8@example.org', 'active', 'daily', 8, 'Europe/Berlin', now()),
      ('utc9@example.org', 'active', 'daily', 9, 'UTC', now()),
      ('weekly8@example.org', 'active', 'weekly', 8, 'UTC', now()),
      ('paused@example.org', 'active', 'paused', 8, 'UTC', now())`);
  // Their schedules start from the simulated clock (the API does this from the real one at confirmation).
  await stack.served.runtime.repos.subscribers.reschedule(null, at(-1));
});
afterAll(async () => stack?.close());

const tick = (when: Date) => bindJobs({ ...stack.served.runtime, now: () => when }).deliverDue();
const recipients = async (editionId: number) =>
  (
    await stack.served.runtime.database.db.execute<{ email: string }>(sql`
      select s.email from deliveries d join subscribers s on s.id = d.subscriber_id where d.edition_id = ${editionId} order by s.email`)
  ).rows.map((r) => r.email);

describe('hourly delivery', () => {
  it('sends each reader the current edition at their own local hour, once', async () => {
    const hourIn = (when: Date, tz: string) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' }).format(when));
    const dailyReaders = [
      { email: 'berlin8@example.org', tz: 'Europe/Berlin', hour: 8 },
      { email: 'utc8@example.org', tz: 'UTC', hour: 8 },
      { email: 'utc9@example.org', tz: 'UTC', hour: 9 },
    ];
    const dueBy = (ticks: Date[]) => dailyReaders.filter((r) => ticks.some((t) => hourIn(t, r.tz) === r.hour)).map((r) => r.email);

    const seven = await tick(at(0));
    const daily = seven.daily!;
    expect(await recipients(daily)).toEqual(dueBy([at(0)]));
    // No weekly reader is due yet, so no weekly pool is fixed yet: it will hold the freshest papers.
    expect(seven.weekly).toBeUndefined();

    const eight = await tick(at(1));
    expect(eight.daily).toBe(daily); // the edition of the period is built once
    expect(await recipients(daily)).toEqual(dueBy([at(0), at(1)]));
    expect(await recipients(eight.weekly!)).toEqual(['weekly8@example.org']);

    await tick(at(2));
    await tick(at(2)); // a repeated tick sends nothing twice
    expect(await recipients(daily)).toEqual(dueBy([at(0), at(1), at(2)]));
    expect(await recipients(daily)).not.toContain('paused@example.org');

    const stats = await waitForEdition(stack, daily);
    const expected = dueBy([at(0), at(1), at(2)]).length;
    expect(stats).toMatchObject({ recipients: expected, sent: expected });
    await stack.sink.waitFor((m) => m.length >= expected + 1);
    expect(stack.sink.to('utc8@example.org')).toHaveLength(1);
    expect(stack.sink.to('weekly8@example.org')).toHaveLength(1);
    expect(stack.sink.to('paused@example.org')).toHaveLength(0);
  });

  it('sends the admin-forced edition to all matching readers at once, whatever their hour', async () => {
    const res = await stack.admin('/editions', { frequency: 'daily', force: true });
    const { id } = (await res.json()) as { id: number };
    await waitForEdition(stack, id);
    expect(await recipients(id)).toEqual(['berlin8@example.org', 'utc8@example.org', 'utc9@example.org']);
  });
});
