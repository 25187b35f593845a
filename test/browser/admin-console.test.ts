// The operator's console in Chromium: sign-in, an edition sent with a live progress bar, a pause and its
// resume, failures grouped by the server's answer, a lifted suppression and "resend failed", subscribers
// searched and paged, CSV import (double opt-in and "already consented") and export, papers, the queue
// dashboard; and the refusals: no session, a wrong token, a form posted from another origin.
import { createServer, type Server } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useBrowserStack } from '../helpers/browser-stack.js';
import { browserAvailable } from '../helpers/browser.js';
import { ADMIN_TOKEN, insertActiveReaders } from '../helpers/stack.js';

const available = browserAvailable();
const READERS = 25;

describe.skipIf(!available)('admin console in Chromium', () => {
  const ctx = useBrowserStack();
  const db = () => ctx.stack.served.runtime.database.db;
  const count = async (q: ReturnType<typeof sql>) => Number((await db().execute<{ n: number }>(q)).rows[0]!.n);

  async function signedIn(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${ctx.stack.base}/admin/sign-in`);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/admin$/);
    return { context, page };
  }

  it('refuses every console page and the queue dashboard without a session, and a wrong token', async () => {
    for (const path of ['/admin', '/admin/subscribers', '/admin/editions/1', '/admin/subscribers.csv', '/admin/queues', '/admin/queues/api/queues']) {
      const res = await ctx.stack.http(path);
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toMatch(/@example\.org/);
    }
    const context = await ctx.browser.newContext();
    const page = await context.newPage();
    const first = await page.goto(`${ctx.stack.base}/admin/subscribers`);
    expect(first!.status()).toBe(401);
    await page.getByLabel('Admin token').fill('not-the-admin-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not the admin token/);
    expect((await context.cookies()).some((c) => c.name === 'papermail_admin')).toBe(false);
    // A POST without the page's CSRF token is refused even with the right Origin.
    const forged = await ctx.stack.http('/admin/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ctx.stack.base },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    });
    expect(forged.status).toBe(403);
    await context.close();
  });

  it('signs in with an HttpOnly SameSite=Strict cookie and refuses a form posted from another origin', async () => {
    const { context, page } = await signedIn();
    const cookie = (await context.cookies()).find((c) => c.name === 'papermail_admin')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
    const editions = await count(sql`select count(*) as n from editions`);
    // Another origin on the same host (so the SameSite cookie does go along): the Origin check refuses it.
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="${ctx.stack.base}/admin/editions"><input name="frequency" value="daily"><input name="force" value="true"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    const answer = page.waitForResponse((r) => r.url().endsWith('/admin/editions') && r.request().method() === 'POST');
    await page.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`);
    expect((await answer).status()).toBe(403);
    expect(await count(sql`select count(*) as n from editions`)).toBe(editions);
    evil.close();
    await context.close();
  });

  it('sends an edition with live progress, pauses on a storm of one refusal, resumes, groups failures by answer, lifts a suppression and resends', async () => {
    const emails = Array.from({ length: READERS }, (_, i) => (i < 2 ? `gone${i}@example.org` : `reader${i}@example.org`));
    await insertActiveReaders(ctx.stack, emails);
    // The relay refuses everyone for now, for good: a storm of one answer, so the edition pauses and nobody is
    // suppressed. (A storm of temporary answers only slows sending down: test/reliability/self-healing.test.ts.)
    ctx.stack.sink.setRule(() => ({ code: 554, message: '5.7.1 Relay access denied' }));
    const { context, page } = await signedIn();
    await page.getByRole('button', { name: 'Send the daily edition now' }).click();
    await page.waitForURL(/\/admin\/editions\/\d+/);
    const id = Number(/editions\/(\d+)/.exec(page.url())![1]);
    await expect.poll(async () => ((await (await ctx.stack.admin(`/editions/${id}`)).json()) as { status: string }).status, { timeout: 60_000 }).toBe('paused');
    expect(await count(sql`select count(*) as n from suppressions`)).toBe(0);

    await page.reload();
    await expect.poll(() => page.locator('.error').first().textContent()).toMatch(/Paused/);
    // Every console page says so, and when the breaker will probe the relay.
    await expect.poll(() => page.locator('.banner').textContent()).toMatch(new RegExp(`Edition #${id} .* is paused.*The breaker probes the relay at`));
    // Fixed: the relay takes mail again, but two addresses do not exist.
    ctx.stack.sink.setRule((a) => (a.startsWith('gone') ? { code: 550, message: '5.1.1 No such user here' } : undefined));
    await page.getByRole('button', { name: 'Resume sending' }).click();
    await page.waitForURL(/notice=/);
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    // The bar follows the sending without a reload.
    await expect.poll(() => page.locator('[data-count="sent"]').first().textContent(), { timeout: 60_000 }).toBe(String(READERS - 2));
    await expect.poll(() => page.locator('[data-count="failed"]').first().textContent()).toBe('2');
    await expect.poll(() => page.locator('#progress').getAttribute('data-status')).toBe('sent');
    expect(await page.locator('#progress progress').evaluate((p) => [(p as unknown as { value: number }).value, (p as unknown as { max: number }).max])).toEqual([READERS, READERS]);
    expect(navigations).toBe(0);

    await page.reload();
    const failureRow = page.locator('table tr', { hasText: '5.1.1 No such user here' });
    await expect.poll(() => failureRow.locator('td').nth(1).textContent()).toBe('2');

    // One of them was a mistake: lift it in Suppressions, then resend the failed rows.
    await page.getByRole('link', { name: 'Suppressions' }).click();
    await page.getByLabel('Address contains').fill('gone0');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Lift' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Lifted: gone0@example.org/);
    ctx.stack.sink.setRule((a) => (a === 'gone1@example.org' ? { code: 550, message: '5.1.1 No such user here' } : undefined));
    await page.goto(`${ctx.stack.base}/admin/editions/${id}`);
    await page.getByRole('button', { name: 'Resend failed' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/1 failed deliveries are queued again/);
    await expect.poll(() => page.locator('[data-count="sent"]').first().textContent(), { timeout: 30_000 }).toBe(String(READERS - 1));
    await ctx.stack.sink.waitFor(() => ctx.stack.sink.to('gone0@example.org').length === 1);
    expect(ctx.stack.sink.to('gone1@example.org')).toHaveLength(0);
    // Every reader has exactly one row, and nobody got the edition twice.
    expect(await count(sql`select count(*) as n from deliveries where edition_id = ${id}`)).toBe(READERS);
    for (const e of emails.slice(2)) expect(ctx.stack.sink.to(e).filter((m) => /Trending/.test(m.parsed.subject ?? '')), e).toHaveLength(1);
    ctx.stack.sink.setRule(null);
    await context.close();
  });

  it('searches and pages subscribers, shows one with their deliveries, and exports CSV', async () => {
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Subscribers' }).click();
    const seen = new Set<string>();
    for (;;) {
      for (const t of await page.locator('tbody tr td:first-child').allTextContents()) {
        expect(seen.has(t), `${t} on two pages`).toBe(false);
        seen.add(t);
      }
      const next = page.getByRole('link', { name: 'Next page' });
      if (!(await next.count())) break;
      await next.click();
    }
    expect(seen.size).toBe(await count(sql`select count(*) as n from subscribers`));
    await page.getByLabel('Address contains').fill('reader1');
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Search' }).click();
    const found = await page.locator('tbody tr td:first-child').allTextContents();
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((e) => e.includes('reader1'))).toBe(true);
    await page.getByRole('link', { name: 'reader10@example.org' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('reader10@example.org');
    const deliveries = page.locator('table', { has: page.locator('th', { hasText: 'Attempts' }) });
    expect(await deliveries.locator('tbody tr').first().textContent()).toMatch(/sent/);

    await page.goto(`${ctx.stack.base}/admin/subscribers?search=reader1`);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export these as CSV' }).click();
    const csv = await (await download).createReadStream().then(async (s) => {
      const chunks: Buffer[] = [];
      for await (const c of s) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString();
    });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^email,status,frequency,topics/);
    expect(lines.slice(1).every((l) => l.startsWith('reader1'))).toBe(true);
    expect(lines.length - 1).toBe(found.length);
    await context.close();
  });

  it('imports CSV by double opt-in and as already consented, and reports bad rows by line', async () => {
    const { context, page } = await signedIn();
    await page.goto(`${ctx.stack.base}/admin/import`);
    const csv = ['email,frequency,topics', 'new1@example.org,daily,diffusion; robotics', 'not an address,daily,', 'new2@example.org,hourly,', 'new1@example.org,weekly,'].join('\n');
    await page.getByLabel('CSV file').setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import' }).click();
    const report = page.getByRole('status');
    await expect.poll(() => report.textContent()).toMatch(/1 sent a confirmation mail/);
    expect(await report.textContent()).toMatch(/Line 3: Please enter an email address such as/);
    expect(await report.textContent()).toMatch(/Line 4: Unknown frequency "hourly"/);
    expect(await report.textContent()).toMatch(/Line 5: new1@example.org appears earlier/);
    await ctx.stack.sink.waitFor(() => ctx.stack.sink.to('new1@example.org').some((m) => /Confirm/.test(m.parsed.subject ?? '')));
    const pending = (await db().execute(sql`select status, topics from subscribers where email = 'new1@example.org'`)).rows[0];
    expect(pending).toEqual({ status: 'pending', topics: ['diffusion', 'robotics'] });

    // "Already consented" needs the operator's statement, and records it with each reader.
    await page.getByLabel('CSV file').setInputFiles({ name: 'old.csv', mimeType: 'text/csv', buffer: Buffer.from('email\nold1@example.org\nold2@example.org\n') });
    await page.getByRole('radio', { name: /already consented/ }).check();
    await page.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Say where these readers gave their consent/);
    expect(await count(sql`select count(*) as n from subscribers where email like 'old%'`)).toBe(0);
    await page.getByLabel('CSV file').setInputFiles({ name: 'old.csv', mimeType: 'text/csv', buffer: Buffer.from('email\nold1@example.org\nold2@example.org\n') });
    await page.getByRole('radio', { name: /already consented/ }).check();
    await page.getByLabel(/Where they consented/).fill('paper sign-up sheet at NeurIPS 2026');
    await page.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/2 imported as active readers/);
    const rows = await db().execute(sql`
      select s.status, s.next_send_at is not null as scheduled, c.kind, c.form_version from subscribers s join consents c on c.subscriber_id = s.id
      where s.email like 'old%' order by s.email`);
    expect(rows.rows).toEqual([
      { status: 'active', scheduled: true, kind: 'import', form_version: 'import: paper sign-up sheet at NeurIPS 2026' },
      { status: 'active', scheduled: true, kind: 'import', form_version: 'import: paper sign-up sheet at NeurIPS 2026' },
    ]);
    expect(ctx.stack.sink.to('old1@example.org')).toHaveLength(0);
    await context.close();
  });

  it('lists papers with their sources, queues an ingest, and shows the queue dashboard', async () => {
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Papers' }).click();
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Fetch papers now' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Fetching papers now/);
    // The source cannot be reached here: the page says so, with the reason, once the fetch has failed.
    await expect
      .poll(async () => (await page.reload(), await page.locator('table').first().textContent()), { timeout: 20_000, interval: 500 })
      .toMatch(/hf.*failed.*fetch failed/s);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByRole('link', { name: 'Queues' }).click();
    await page.waitForLoadState('networkidle');
    await expect.poll(() => page.getByText('transactional').first().isVisible(), { timeout: 20_000 }).toBe(true);
    expect(errors, `${errors.join('\n')}\n${await page.content()}`).toEqual([]);
    await context.close();
  });
});
