// The preference center in a real browser: the time zone is suggested by the page's script,
// a save takes effect, and a bad value comes back on the same form.
import type { Browser } from 'playwright-core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens } from '../../src/domain/tokens.js';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.js';

// Throws with CI=true when Chromium is missing; skips (loudly) only on a developer's machine.
const available = browserAvailable();

describe.skipIf(!available)('preference center in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let url = '';
  beforeAll(async () => {
    stack = await startStack('postgres');
    browser = await launchBrowser();
    const db = stack.served.runtime.database.db;
    const { rows } = await db.execute<{ id: number }>(sql`
      insert into subscribers (email, status, frequency, confirmed_at) values ('browser@example.org', 'active', 'daily', now()) returning id`);
    url = `${stack.base}/preferences/${createTokens(stack.env.SECRET!).sign(rows[0]!.id, 'preferences')}`;
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('suggests the browser time zone, saves topics and hour, and rejects a bad time zone', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 900 }, timezoneId: 'Asia/Tokyo' });
    const page = await context.newPage();
    await page.goto(url);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Asia/Tokyo');
    await page.getByLabel('Topics').fill('diffusion, cs.CL');
    await page.getByLabel('Hour of delivery (your time)').selectOption('7');
    await page.getByLabel('Weekly (Mondays)').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Saved/);
    const { rows } = await stack.served.runtime.database.db.execute(sql`
      select frequency, topics, send_hour, timezone from subscribers where email = 'browser@example.org'`);
    expect(rows[0]).toEqual({ frequency: 'weekly', topics: ['diffusion', 'cs.CL'], send_hour: 7, timezone: 'Asia/Tokyo' });

    await page.getByLabel('Time zone').fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not a time zone/);
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Mars/Olympus');
    const after = await stack.served.runtime.database.db.execute(sql`select timezone from subscribers where email = 'browser@example.org'`);
    expect(after.rows[0]).toEqual({ timezone: 'Asia/Tokyo' });
    await context.close();
  });
});
