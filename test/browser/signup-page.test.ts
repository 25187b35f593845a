// A person's path in a real browser: the signup form on a phone, without JavaScript,
// then the confirmation mail opened from the dev inbox (the built-in SMTP catcher).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/runtime/embedded-postgres.js';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** Confirmation mails the dev catcher holds for an address (the stack runs without SMTP_URL). */
async function inboxCount(stack: Stack, email: string): Promise<number> {
  const mails = (await (await stack.http('/dev/inbox.json')).json()) as { to: string }[];
  return mails.filter((m) => m.to.includes(email)).length;
}

// Throws with CI=true when Chromium is missing; skips (loudly) only on a developer's machine.
const available = browserAvailable();

describe.skipIf(!available)('signup page in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    // SMTP_URL left empty: the service runs its own SMTP catcher and serves /dev/inbox.
    const port = await freePort();
    stack = await startStack('postgres', { SMTP_URL: '', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('subscribes from a 375 px phone with JavaScript off, then confirms through the dev inbox', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, javaScriptEnabled: false });
    const page = await phone.newPage();
    await page.goto(`${stack.base}/`);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.getByLabel('Email address').fill('browser@example.org');
    await page.getByLabel(/Weekly/).check();
    // Without JavaScript nothing waits for the person: take the time a person takes (SIGNUP_MIN_FILL_SECONDS is 2).
    await page.waitForTimeout(2100);
    const box = await page.getByRole('button', { name: 'Subscribe' }).boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Check your inbox');
    await page.screenshot({ path: 'test-results/signup-done.png' }).catch(() => {});

    // Bad input comes back on the same form with the message and the address kept.
    await page.goto(`${stack.base}/`);
    await page.getByLabel('Email address').fill('not an address');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('[role=alert]').textContent()).toMatch(/email address/i);
    expect(await page.getByLabel('Email address').inputValue()).toBe('not an address');
    await phone.close();

    const desk = await browser.newContext();
    const inbox = await desk.newPage();
    await expect
      .poll(async () => {
        await inbox.goto(`${stack.base}/dev/inbox`);
        return inbox.getByRole('link', { name: 'Confirm your papermail subscription' }).count();
      }, { timeout: 20_000 })
      .toBe(1);
    await inbox.getByRole('link', { name: 'Confirm your papermail subscription' }).click();
    const mail = inbox.frameLocator('iframe[title="HTML part"]');
    // The button opens a new tab, as it would from a mail client.
    const [confirmed] = await Promise.all([desk.waitForEvent('page'), mail.getByRole('link', { name: 'Yes, subscribe me' }).click()]);
    await confirmed.waitForLoadState();
    // The link only shows a button (scanners fetch links); a person presses it.
    expect(await confirmed.locator('h1').textContent()).toBe('Confirm your subscription');
    await confirmed.getByRole('button', { name: 'Yes, subscribe me' }).click();
    await confirmed.waitForLoadState();
    expect(await confirmed.locator('h1').textContent()).toBe("You're subscribed");
    await desk.close();
  });

  it('with JavaScript on, a person who submits at once still gets the mail: the page waits out the minimum fill time', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${stack.base}/`);
    await page.getByLabel('Email address').fill('quick@example.org');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe('Check your inbox');
    await expect.poll(() => inboxCount(stack, 'quick@example.org'), { timeout: 20_000 }).toBe(1);
    await ctx.close();
  });

  // The form sent back too fast is proved without a browser's timing, in test/security/signup-limits.test.ts.
  it('gives a bot that fills the honeypot the neutral answer and no mail', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${stack.base}/`);
    // The honeypot is out of sight (in the DOM, off screen) and out of the accessibility tree.
    expect(await page.getByRole('textbox', { name: 'Leave this empty' }).count()).toBe(0);
    const box = await page.locator('input[name=website]').boundingBox();
    expect(box!.x + box!.width).toBeLessThan(0);
    await page.waitForTimeout(2100);
    await page.getByLabel('Email address').fill('trap-bot@example.org');
    await page.locator('input[name=website]').fill('https://spam.example');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Check your inbox');
    const rows = await stack.served.runtime.database.pool.query(`select count(*)::int as n from subscribers where email like '%-bot@example.org'`);
    expect(rows.rows[0].n).toBe(0);
    await ctx.close();
  });
});
