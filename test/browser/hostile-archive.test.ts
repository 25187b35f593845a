// The archive's web version of an edition with a hostile paper, in Chromium: no script runs (no dialog, no
// script-created marker), no javascript: link is left in the page, and the CSP reports nothing but itself.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../src/sources/ingest.js';
import { browserAvailable } from '../helpers/browser.js';
import { useBrowserStack } from '../helpers/browser-stack.js';
import { waitForEdition } from '../helpers/stack.js';

const available = browserAvailable();

describe.skipIf(!available)('a hostile paper in the archive, in Chromium', () => {
  const t = useBrowserStack();

  it('runs no script and links nothing but http(s)', async () => {
    const hostile = JSON.stringify([
      {
        paper: {
          id: '2699.00001',
          title: '<script>window.__owned = 1; alert(1)</script><img src=x onerror="window.__owned=2">Hostile',
          summary: '"><svg onload="window.__owned=3">',
          authors: [{ name: '<b onmouseover=alert(1)>Eve</b>' }],
          upvotes: 100000,
          githubRepo: 'javascript:window.__owned=4',
          projectPage: 'data:text/html,<script>alert(1)</script>',
        },
      },
    ]);
    await ingestText(t.stack.served.runtime.repos.papers, 'hf', hostile, 'hostile.json');
    // A row written around the policy (by hand, before it existed) must not run either.
    await t.stack.served.runtime.database.db.execute(sql`update papers set links = links || '{"pdf": "javascript:window.__owned=5"}'::jsonb where id = '2699.00001'`);
    await t.stack.served.runtime.database.db.execute(sql`insert into subscribers (email, status, confirmed_at) values ('reader@example.org', 'active', now())`);
    const { id } = (await (await t.stack.admin('/editions', { frequency: 'daily', force: true })).json()) as { id: number };
    await waitForEdition(t.stack, id);

    const page = await t.browser.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${t.stack.base}/archive/${id}`);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.getByText('Hostile').first().isVisible()).toBe(true);
    // Hover and click what a person might, then look for any sign of a script having run.
    await page.getByText('Eve').first().hover();
    expect(await page.evaluate('window.__owned ?? null')).toBeNull();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.filter((h) => !/^(https?:|\/|#)/.test(h))).toEqual([]);
    await page.close();
  });
});
