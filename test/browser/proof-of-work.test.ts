// The optional proof-of-work (SIGNUP_PROOF_OF_WORK=true) in Chromium: the page solves the ALTCHA challenge
// with altcha-lib served from our origin, under our CSP; a client that does not solve it gets no mail.
import { describe, expect, it } from 'vitest';
import { browserAvailable } from '../helpers/browser.js';
import { useBrowserStack } from '../helpers/browser-stack.js';

const available = browserAvailable();

describe.skipIf(!available)('signup with proof-of-work on', () => {
  const t = useBrowserStack({ SIGNUP_PROOF_OF_WORK: 'true' });

  it('solves the challenge in the page, under the CSP, and the confirmation mail leaves', async () => {
    const ctx = await t.browser.newContext();
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' ? problems.push(m.text()) : undefined));
    await page.goto(`${t.stack.base}/`);
    await page.getByLabel('Email address').fill('worker@example.org');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 30_000 }).toBe('Check your inbox');
    await t.stack.sink.waitFor((m) => m.some((x) => x.envelopeTo.includes('worker@example.org')));
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('refuses a client that did not do the work, with a message, and sends nothing', async () => {
    const json = await t.stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'script@example.org' }) });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: expect.stringMatching(/short automatic check/) });
    const ctx = await t.browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${t.stack.base}/`);
    await page.waitForTimeout(2100);
    await page.getByLabel('Email address').fill('nojs@example.org');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('[role=alert]').textContent()).toMatch(/JavaScript is on/);
    expect(await page.getByLabel('Email address').inputValue()).toBe('nojs@example.org');
    await ctx.close();
    const rows = await t.stack.served.runtime.database.pool.query(`select count(*)::int as n from subscribers where email in ('script@example.org', 'nojs@example.org')`);
    expect(rows.rows[0].n).toBe(0);
  });
});
