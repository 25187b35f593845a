// The API reference at /docs renders in Chromium under the site's CSP, from /openapi.json.
import { describe, expect, it } from 'vitest';
import { browserAvailable } from '../helpers/browser.js';
import { useBrowserStack } from '../helpers/browser-stack.js';

const available = browserAvailable();

describe.skipIf(!available)('the API reference', () => {
  const t = useBrowserStack();

  it('renders every tag of the API without a script or CSP error', async () => {
    const page = await t.browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' ? problems.push(m.text()) : undefined));
    await page.goto(`${t.stack.base}/docs/`);
    await expect.poll(() => page.locator('.swagger-ui .info .title').textContent(), { timeout: 20_000 }).toMatch(/papermail/);
    const tags = await page.locator('.opblock-tag').allTextContents();
    for (const tag of ['Readers', 'Your data', 'Archive', 'Operations', 'Admin']) expect(tags.join(' | ')).toContain(tag);
    expect(problems).toEqual([]);
    await page.close();
  });
});
