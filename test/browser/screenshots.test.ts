// Every page and every mail in Chromium, at a phone's width and a desktop's (mails at 375 and 600 px):
// screenshots under test/artifacts/ (ignored by git) for a person to look at, and two checks a person
// would make: nothing overflows horizontally, and every image has alt text.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from '../helpers/browser.js';
import { ADMIN_TOKEN, readerWithEveryMail, startStack, type Stack } from '../helpers/stack.js';

const available = browserAvailable();
const OUT = new URL('../artifacts/', import.meta.url).pathname;

/** Overflow and alt text, as the page is laid out at this width. */
async function inspect(page: Page): Promise<{ overflow: number; noAlt: string[] }> {
  return page.evaluate(`({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    noAlt: [...document.images].filter((i) => !i.hasAttribute('alt')).map((i) => i.src),
  })`);
}

/** The lowest contrast of any visible text against its nearest opaque background, computed in the page. */
const CONTRAST = `(() => {
  const rgb = (c) => (c.match(/[0-9.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3); } return [255, 255, 255]; };
  let worst = { ratio: 21, text: '' };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement; const text = n.textContent.trim();
    if (!el || !text || el.closest('[style*="display:none"]') || getComputedStyle(el).visibility === 'hidden' || el.getBoundingClientRect().height === 0) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(bgOf(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < worst.ratio) worst = { ratio, text: text.slice(0, 60) };
  }
  return worst;
})()`;

describe.skipIf(!available)('screenshots of every page and mail', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    stack = await startStack('postgres', { LOGO_URL: 'https://papermail.test/logo.png', FOOTER_TEXT: 'A reading group newsletter.', POSTAL_ADDRESS: '1 Example Street, Example City' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('lays out every page at 375 and 1280 px, and every mail at 375 and 600 px, without horizontal overflow', async () => {
    const email = 'looker@example.org';
    const { editionId: id, links, data } = await readerWithEveryMail(stack, email);
    // A "more like this" from the digest (the page, then its button), so that the reading list has an entry.
    const digest = stack.sink.to(email).find((m) => /^Trending papers/.test(m.parsed.subject ?? ''))!;
    const feedback = /https:\/\/papermail\.test(\/feedback\/\S+)\?choice=more/.exec(digest.parsed.text ?? '')![1]!;
    await stack.http(feedback, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'choice=more' });
    const readingList = /href="(\/reading-list\/[^"]+)"/.exec(await (await stack.http(links.preferences)).text())![1]!;
    const pages: Record<string, string> = {
      signup: '/',
      feedback: `${feedback}?choice=less`,
      'reading-list': readingList,
      archive: '/archive',
      edition: `/archive/${id}`,
      preferences: links.preferences,
      unsubscribe: links.unsubscribe,
      'confirm-active': links.confirm,
      'your-data': data,
      'erase-ask': `${data}/erase`,
      'not-found': '/nowhere',
      'invalid-link': '/unsubscribe/1.x.y',
    };
    // The operator's console, signed in.
    const consolePages: Record<string, string> = {
      'admin-sign-in': '/admin/sign-in',
      'admin-overview': '/admin',
      'admin-editions': '/admin/editions',
      'admin-edition': `/admin/editions/${id}`,
      'admin-subscribers': '/admin/subscribers',
      'admin-subscriber': '/admin/subscribers/1',
      'admin-import': '/admin/import',
      'admin-suppressions': '/admin/suppressions',
      'admin-papers': '/admin/papers',
    };
    // The pages a button leads to, as the server answered each POST; shown at their own address below.
    const post = async (path: string, body: string) => {
      const res = await stack.http(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect(res.status, path).toBeLessThan(400);
      return res.text();
    };
    const answers: Record<string, { path: string; html: string }> = {
      'check-your-inbox': { path: '/subscribe', html: await post('/subscribe', `email=${encodeURIComponent('n3w.reader@example.org')}&frequency=weekly`) },
      'feedback-noted': { path: feedback, html: await post(feedback, 'choice=more') },
      'preferences-saved': { path: links.preferences, html: await post(links.preferences, 'frequency=daily&topics=diffusion&max_papers=8') },
      'data-link-sent': { path: `${links.preferences}/data-link`, html: await post(`${links.preferences}/data-link`, '') },
      confirmed: { path: links.confirm, html: await post(links.confirm, '') },
    };
    const problems: string[] = [];
    /** Lays out one page (at its own address, so its styles and scripts load as they do for a reader). */
    const look = async (page: Page, name: string, width: number, path: string, html?: string) => {
      if (html !== undefined) await page.route(`${stack.base}${path}`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }), { times: 1 });
      await page.goto(`${stack.base}${path}`);
      const r = await inspect(page);
      if (r.overflow > 0) problems.push(`${name} at ${width}px overflows by ${r.overflow}px`);
      if (r.noAlt.length) problems.push(`${name}: images without alt: ${r.noAlt.join(', ')}`);
      await page.screenshot({ path: `${OUT}page-${name}-${width}.png`, fullPage: true });
    };
    for (const width of [375, 1280]) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(`${stack.base}/admin/sign-in`);
      await page.screenshot({ path: `${OUT}page-admin-sign-in-${width}.png`, fullPage: true });
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/admin$/);
      for (const [name, path] of Object.entries({ ...pages, ...consolePages })) await look(page, name, width, path);
      for (const [name, { path, html }] of Object.entries(answers)) await look(page, name, width, path, html);
      await look(page, 'admin-preview', width, `/admin/preview?email=${encodeURIComponent(email)}`);
      await look(page, 'api-docs', width, '/docs/');
      await ctx.close();
    }
    // Last, the pages that end a subscription: unsubscribed (and that link opened again), then erased.
    const leaving: Record<string, { path: string; html?: string }> = {
      unsubscribed: { path: links.unsubscribe, html: await post(links.unsubscribe, '') },
      'unsubscribe-again': { path: links.unsubscribe, html: await (await stack.http(links.unsubscribe)).text() },
    };
    const erased = await post(`${data}/erase`, '');
    leaving.erased = { path: `${data}/erase`, html: erased };
    for (const width of [375, 1280]) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await ctx.newPage();
      for (const [name, { path, html }] of Object.entries(leaving)) await look(page, name, width, path, html);
      await ctx.close();
    }
    const mails = stack.sink.to(email);
    expect(mails.length).toBeGreaterThanOrEqual(4);
    for (const width of [375, 600]) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
      const page = await ctx.newPage();
      for (const m of mails) {
        const name = (m.parsed.subject ?? 'mail').replace(/[^a-z0-9]+/gi, '-').slice(0, 40).toLowerCase();
        await page.setContent(String(m.parsed.html));
        const r = await inspect(page);
        if (r.overflow > 0) problems.push(`mail "${m.parsed.subject}" at ${width}px overflows by ${r.overflow}px`);
        if (r.noAlt.length) problems.push(`mail "${m.parsed.subject}": images without alt`);
        await page.screenshot({ path: `${OUT}mail-${name}-${width}.png`, fullPage: true });
        // The digest's link rows are tap targets a finger hits: 44 px high at least.
        if (/Trending papers/.test(m.parsed.subject ?? '') && width === 375) {
          const heights = await page.$$eval('a', (as) => as.filter((a) => /^(Paper page|arXiv|Find on arXiv|PDF|Code|Project page)/.test(a.textContent ?? '')).map((a) => a.getBoundingClientRect().height));
          expect(heights.length).toBeGreaterThan(0);
          for (const h of heights) expect(h).toBeGreaterThanOrEqual(44);
        }
      }
      await ctx.close();
    }
    // Dark mode: every mail declares its one colour scheme, and a client in dark mode that honours it shows
    // every text at a readable contrast (WCAG AA, 4.5:1) against what is behind it.
    const dark = await browser.newContext({ viewport: { width: 375, height: 900 }, javaScriptEnabled: false, colorScheme: 'dark' });
    const darkPage = await dark.newPage();
    for (const m of mails) {
      const html = String(m.parsed.html);
      expect(html, m.parsed.subject).toMatch(/<meta name="color-scheme" content="light"/);
      await darkPage.setContent(html);
      const worst = (await darkPage.evaluate(CONTRAST)) as { ratio: number; text: string };
      if (worst.ratio < 4.5) problems.push(`mail "${m.parsed.subject}" in dark mode: "${worst.text}" has contrast ${worst.ratio.toFixed(2)}`);
      const name = (m.parsed.subject ?? 'mail').replace(/[^a-z0-9]+/gi, '-').slice(0, 40).toLowerCase();
      await darkPage.screenshot({ path: `${OUT}mail-${name}-375-dark.png`, fullPage: true });
    }
    await dark.close();
    expect(problems).toEqual([]);
  }, 180_000);
});
