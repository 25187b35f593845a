// A reader who signs up from a browser set to Asia/Tokyo: stored as Asia/Tokyo, told the real hour and zone
// on the confirmation page and in the welcome mail, and sent a digest dated with the Tokyo date.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { browserAvailable } from '../helpers/browser.js';
import { useBrowserStack } from '../helpers/browser-stack.js';
import { waitForEdition } from '../helpers/stack.js';

const available = browserAvailable();

describe.skipIf(!available)('signup from a browser in Tokyo', () => {
  const t = useBrowserStack({ DIGEST_WINDOW_DAILY: '60' });

  it('stores the zone, states the hour and zone, and dates the digest in Tokyo', async () => {
    const ctx = await t.browser.newContext({ timezoneId: 'Asia/Tokyo', locale: 'ja-JP' });
    const page = await ctx.newPage();
    await page.goto(`${t.stack.base}/`);
    await page.getByLabel('Email address').fill('tokyo@example.org');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe('Check your inbox');
    const row = await t.stack.served.runtime.database.db.execute<{ timezone: string; timezone_chosen: boolean; next_send_at: Date | null }>(
      sql`select timezone, timezone_chosen, next_send_at from subscribers where email = 'tokyo@example.org'`,
    );
    expect(row.rows[0]).toMatchObject({ timezone: 'Asia/Tokyo', timezone_chosen: true, next_send_at: null });

    // The confirmation link, opened and pressed in the same t.browser.
    const confirmMail = await t.stack.sink.waitFor((m) => m.some((x) => x.envelopeTo.includes('tokyo@example.org')));
    const link = /https:\/\/papermail\.test(\/confirm\/\S+)/.exec(confirmMail.find((x) => x.envelopeTo.includes('tokyo@example.org'))!.parsed.text!)![1]!;
    await page.goto(`${t.stack.base}${link}`);
    await page.getByRole('button', { name: 'Yes, subscribe me' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe("You're subscribed");
    expect(await page.locator('main').textContent()).toContain('every day at 08:00, Asia/Tokyo time');
    await ctx.close();

    // Scheduled for the next 08:00 in Tokyo (23:00 UTC), and told so in the welcome mail.
    const next = (await t.stack.served.runtime.database.pool.query(`select next_send_at from subscribers where email = 'tokyo@example.org'`)).rows[0].next_send_at as Date;
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next)).toBe('08:00');
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    const welcome = await t.stack.sink.waitFor((m) => m.some((x) => x.envelopeTo.includes('tokyo@example.org') && /Welcome/.test(x.parsed.subject ?? '')));
    expect(welcome.find((x) => /Welcome/.test(x.parsed.subject ?? ''))!.parsed.text).toContain('every day at 08:00, Asia/Tokyo time');

    // A digest sent now carries today's date in Tokyo, whatever the date in UTC.
    const res = await t.stack.admin('/editions', { frequency: 'daily', force: true });
    const { id } = (await res.json()) as { id: number };
    await waitForEdition(t.stack, id);
    const tokyoToday = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Asia/Tokyo' });
    const digest = await t.stack.sink.waitFor((m) => m.some((x) => x.envelopeTo.includes('tokyo@example.org') && /Trending papers/.test(x.parsed.subject ?? '')));
    expect(digest.find((x) => /Trending papers/.test(x.parsed.subject ?? ''))!.parsed.subject).toContain(tokyoToday);
  });
});
