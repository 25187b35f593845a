// "More like this" as a reader meets it: the digest opened in Chromium, its link followed (a GET that
// records nothing), the page's button pressed, then undone; the preference center and the reading list
// at phone width, all under the site's CSP without a violation.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { insertActiveReaders, PUBLIC_URL, startStack, waitForEdition, type Stack } from '../helpers/stack.js';

const available = browserAvailable();
const READER = 'clicker@example.org';

describe.skipIf(!available)('feedback links in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const feedback = async () => (await stack.served.runtime.database.pool.query('select paper_id, choice from feedback')).rows;

  beforeAll(async () => {
    stack = await startStack('postgres');
    browser = await launchBrowser();
    await insertActiveReaders(stack, [READER]);
    const { id } = (await (await stack.admin('/editions', { frequency: 'daily', force: true })).json()) as { id: number };
    await waitForEdition(stack, id);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** A phone-sized browser whose requests to PUBLIC_URL reach the test's server; CSP reports are collected. */
  const phone = async (): Promise<{ context: BrowserContext; violations: string[] }> => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    await context.route(`${PUBLIC_URL}/**`, async (route) => route.fulfill({ response: await route.fetch({ url: stack.base + route.request().url().slice(PUBLIC_URL.length) }) }));
    const violations: string[] = [];
    context.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    return { context, violations };
  };

  it('shows the choice on the GET, records it on the button, and undoes it', async () => {
    const digest = stack.sink.to(READER).find((m) => /^Trending papers/.test(m.parsed.subject ?? ''))!;
    const { context, violations } = await phone();
    const page = await context.newPage();
    await page.setContent(String(digest.parsed.html));
    const links = page.getByRole('link', { name: 'More like this' });
    expect(await links.count()).toBe(10);
    const title = (await page.locator('.paper-title a').first().textContent())!.trim();
    await links.first().click();
    await page.waitForURL(/\/feedback\//);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('More like this?');
    expect(await page.textContent('main')).toContain(title);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    // Opening the link (as a scanner would) stored nothing.
    expect(await feedback()).toEqual([]);
    await page.getByRole('button', { name: 'Yes, more like this' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Thanks, noted');
    expect(await feedback()).toEqual([{ paper_id: expect.any(String), choice: 'more' }]);

    // The reading list holds it; the preference center lists it with an undo.
    await page.getByRole('link', { name: 'Your reading list' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your reading list');
    expect(await page.textContent('main')).toContain(title);
    expect(await page.getByRole('link', { name: 'BibTeX' }).count()).toBe(1);
    await page.goBack();
    await page.getByRole('link', { name: 'Your preferences' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your preferences');
    expect(await page.textContent('main')).toContain(title);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Taken back');
    expect(await feedback()).toEqual([]);
    expect(violations).toEqual([]);
    await context.close();
  });
});
