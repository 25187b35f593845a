// Console sessions live on the server: signing out ends one for good (a copied cookie is worth nothing
// afterwards), "End all console sessions" ends every one, and a session left idle ends by itself. The
// queue dashboard, whose own forms cannot carry the console's CSRF token, is read-only.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useBrowserStack } from '../helpers/browser-stack.js';
import { browserAvailable } from '../helpers/browser.js';
import { ADMIN_TOKEN } from '../helpers/stack.js';

describe.skipIf(!browserAvailable())('console sessions in Chromium', () => {
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

  it('ends a session on sign-out: the same cookie, replayed, gets the sign-in page', async () => {
    const { context, page } = await signedIn();
    const cookie = `papermail_admin=${(await context.cookies()).find((c) => c.name === 'papermail_admin')!.value}`;
    const replay = (path: string) => ctx.stack.http(path, { headers: { cookie } });
    expect((await replay('/admin')).status).toBe(200);
    const open = await count(sql`select count(*) as n from admin_sessions`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/sign-in$/);
    for (const path of ['/admin', '/admin/subscribers.csv', '/admin/queues/api/queues']) {
      const res = await replay(path);
      expect(res.status, path).toBe(401);
      if (path === '/admin') expect(await res.text()).toMatch(/Console sign-in/);
    }
    // Sessions live in Postgres: every API process on the database knows the signed-out one is gone.
    expect(await count(sql`select count(*) as n from admin_sessions`)).toBe(open - 1);
    await context.close();
  });

  it('ends every session at once, and a session left idle past ADMIN_SESSION_IDLE_MINUTES', async () => {
    const first = await signedIn();
    const second = await signedIn();
    const cookieOf = async (c: BrowserContext) => `papermail_admin=${(await c.cookies()).find((k) => k.name === 'papermail_admin')!.value}`;
    const [one, two] = [await cookieOf(first.context), await cookieOf(second.context)];
    await second.page.getByRole('button', { name: 'End all console sessions' }).click();
    await second.page.waitForURL(/\/admin\/sign-in$/);
    for (const cookie of [one, two]) expect((await ctx.stack.http('/admin', { headers: { cookie } })).status).toBe(401);

    const third = await signedIn();
    const three = await cookieOf(third.context);
    expect((await ctx.stack.http('/admin', { headers: { cookie: three } })).status).toBe(200);
    // An hour (the default idle limit) without a request.
    await db().execute(sql`update admin_sessions set last_seen_at = now() - interval '61 minutes'`);
    expect((await ctx.stack.http('/admin', { headers: { cookie: three } })).status).toBe(401);
    for (const c of [first, second, third]) await c.context.close();
  });

  it("keeps bull-board read-only: its pause, retry and obliterate calls are refused, with the console's own session", async () => {
    const { context, page } = await signedIn();
    for (const [method, path] of [
      ['PUT', '/admin/queues/api/queues/digest/pause'],
      ['PUT', '/admin/queues/api/queues/pause'],
      ['PUT', '/admin/queues/api/queues/send/failed/retry'],
      ['PUT', '/admin/queues/api/queues/digest/obliterate'],
      ['POST', '/admin/queues/api/queues/digest/add'],
    ] as const) {
      const res = await page.request.fetch(`${ctx.stack.base}${path}`, { method, headers: { origin: ctx.stack.base }, data: {} });
      expect(res.status(), `${method} ${path}`).toBe(405);
    }
    expect(await ctx.stack.served.runtime.producer.queues.digest.isPaused()).toBe(false);
    const read = await page.request.get(`${ctx.stack.base}/admin/queues/api/queues`);
    expect(read.status()).toBe(200);
    await context.close();
  });
});
