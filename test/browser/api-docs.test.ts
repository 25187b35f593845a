// The API reference at /docs renders in Chromium under the site's CSP, from /openapi.json.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.js';

const available = browserAvailable();

describe.skipIf(!available)('the API reference', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack('postgres');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('renders every tag of the API without a script or CSP error', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' ? problems.push(m.text()) : undefined));
    await page.goto(`${stack.base}/docs/`);
    await expect.poll(() => page.locator('.swagger-ui .info .title').textContent(), { timeout: 20_000 }).toMatch(/papermail/);
    const tags = await page.locator('.opblock-tag').allTextContents();
    for (const tag of ['Readers', 'Your data', 'Archive', 'Operations', 'Admin']) expect(tags.join(' | ')).toContain(tag);
    expect(problems).toEqual([]);
    await page.close();
  });
});
