// The schedule through the API: signup and the preference center take the hour, weekday and zone, as JSON
// numbers or text, validated alike; every change reschedules the reader.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens } from '../../src/domain/tokens.js';
import { confirmToken, startStack, subscribeAndConfirm, type Stack } from '../helpers/stack.js';

let stack: Stack;
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const row = async (email: string) =>
  (
    await stack.served.runtime.database.db.execute<{ id: number; timezone: string; timezone_chosen: boolean; send_hour: number; send_day: number; frequency: string; next_send_at: Date | null }>(
      sql`select id, timezone, timezone_chosen, send_hour, send_day, frequency, next_send_at from subscribers where email = ${email}`,
    )
  ).rows[0];
const wallIn = (at: Date | string, tz: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));

beforeAll(async () => {
  stack = await startStack('postgres', { DIGEST_TZ: 'Europe/Paris' });
});
afterAll(async () => stack?.close());

describe('the schedule through the API', () => {
  it('takes numbers as numbers and as text at signup', async () => {
    expect((await stack.http('/subscribe', json({ email: 'n@example.org', frequency: 'weekly', send_hour: 7, send_day: 5, timezone: 'Asia/Kolkata' }))).status).toBe(202);
    expect(await row('n@example.org')).toMatchObject({ timezone: 'Asia/Kolkata', timezone_chosen: true, send_hour: 7, send_day: 5, frequency: 'weekly' });
    expect((await stack.http('/subscribe', json({ email: 's@example.org', send_hour: '7', send_day: 'friday' }))).status).toBe(202);
    expect(await row('s@example.org')).toMatchObject({ send_hour: 7, send_day: 5, timezone: 'Europe/Paris', timezone_chosen: false });
  });

  it.each([
    [{ send_hour: 24 }, /0 to 23/],
    [{ send_hour: 7.5 }, /0 to 23/],
    [{ send_hour: [7] }, /must be text/],
    [{ send_day: 8 }, /Monday/],
    [{ timezone: 'Mars/Olympus' }, /not a time zone/],
    [{ timezone: 42 }, /must be text/],
  ])('refuses %j at signup with a 400 and stores nothing', async (extra, message) => {
    const res = await stack.http('/subscribe', json({ email: 'bad-schedule@example.org', ...extra }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
    expect(await row('bad-schedule@example.org')).toBeUndefined();
  });

  it('falls back to DIGEST_TZ when the form carries a zone this server does not know, and says so after confirming', async () => {
    const res = await stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=form%40example.org&timezone=Etc%2FNowhere' });
    expect(res.status).toBe(200);
    expect(await row('form@example.org')).toMatchObject({ timezone: 'Europe/Paris', timezone_chosen: false });
    const r = (await row('form@example.org'))!;
    const link = `/confirm/${await confirmToken(stack, r.id)}`;
    const page = await (await stack.http(link, { method: 'POST' })).text();
    expect(page).toContain('every day at 08:00, Europe/Paris time');
    expect(page).toMatch(/could not tell your time zone[\s\S]*href="\/preferences\//);
  });

  it('reschedules on every preference change, keeping what the change leaves out', async () => {
    await subscribeAndConfirm(stack, 'prefs@example.org');
    const r = (await row('prefs@example.org'))!;
    expect(wallIn(r.next_send_at!, 'Europe/Paris')).toMatch(/08:00$/);
    const url = `/preferences/${createTokens(stack.env.SECRET!).sign(r.id, 'preferences')}`;
    const saved = await stack.http(url, json({ frequency: 'weekly', send_day: 5, send_hour: 7 }));
    expect(saved.status).toBe(200);
    const view = (await saved.json()) as Record<string, unknown>;
    expect(view).toMatchObject({ frequency: 'weekly', send_day: 5, send_hour: 7, timezone: 'Europe/Paris', schedule: 'every Friday at 07:00, Europe/Paris time' });
    expect(wallIn(new Date(view.next_send_at as string), 'Europe/Paris')).toBe('Friday 07:00');
    await stack.http(url, json({ frequency: 'weekly', timezone: 'America/St_Johns' }));
    const moved = (await row('prefs@example.org'))!;
    expect(moved).toMatchObject({ timezone: 'America/St_Johns', timezone_chosen: true, send_day: 5, send_hour: 7 });
    expect(wallIn(moved.next_send_at!, 'America/St_Johns')).toBe('Friday 07:00');
    await stack.http(url, json({ frequency: 'paused' }));
    expect((await row('prefs@example.org'))!.next_send_at).toBeNull();
  });
});
