// Confirm, unsubscribe, admin and health routes against the running service.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens } from '../../src/domain/tokens.js';
import { ADMIN_TOKEN, confirmToken, startStack, subscribeAndConfirm, type Stack } from '../helpers/stack.js';

let stack: Stack;
let tokens: ReturnType<typeof createTokens>;
const statusOf = async (email: string) =>
  (await stack.served.runtime.database.db.execute<{ status: string }>(sql`select status from subscribers where lower(email) = lower(${email})`)).rows[0]?.status;
const idOf = async (email: string) =>
  (await stack.served.runtime.database.db.execute<{ id: number }>(sql`select id from subscribers where lower(email) = lower(${email})`)).rows[0]!.id;

beforeAll(async () => {
  stack = await startStack('postgres');
  tokens = createTokens(stack.env.SECRET!);
});
afterAll(async () => stack?.close());

describe('GET /', () => {
  it('serves a labelled form that posts to /subscribe', async () => {
    const res = await stack.http('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/subscribe"');
    expect(html).toMatch(/<label for="email">/);
    expect(html).toMatch(/<input type="email" id="email" name="email" required/);
    expect(html).toMatch(/name="frequency" value="daily"[^>]*checked/);
    expect(html).toContain('name="viewport"');
    // The answer repeats the address as typed, escaped, so that a typo can be spotted.
    const done = await stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: "email=o'typo%40exmaple.org" });
    expect(await done.text()).toContain('Address: <strong>o&#39;typo@exmaple.org</strong>');
  });
});

describe('confirmation', () => {
  it('activates once, and a second visit does no harm', async () => {
    await subscribeAndConfirm(stack, 'twice@example.org');
    expect(await statusOf('twice@example.org')).toBe('active');
    const link = /https:\/\/papermail\.test\/confirm\/\S+/.exec(stack.sink.to('twice@example.org')[0]!.parsed.text!)![0];
    const again = await stack.http(link, { method: 'POST' });
    expect(again.status).toBe(200);
    expect(await statusOf('twice@example.org')).toBe('active');
  });

  it('changes nothing on a GET or HEAD (mail scanners fetch every link); the button confirms', async () => {
    await stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'scanned@example.org' }) });
    const link = `/confirm/${await confirmToken(stack, await idOf('scanned@example.org'))}`;
    const head = await stack.http(link, { method: 'HEAD' });
    const get = await stack.http(link);
    expect([head.status, get.status]).toEqual([200, 200]);
    expect(get.headers.get('referrer-policy')).toBe('no-referrer');
    expect(get.headers.get('cache-control')).toBe('no-store');
    const page = await get.text();
    expect(page).toContain(`<form method="post" action="${link}">`);
    expect(await statusOf('scanned@example.org')).toBe('pending');
    const welcomes = () => stack.sink.to('scanned@example.org').filter((m) => /Welcome/.test(m.parsed.subject ?? '')).length;
    const posted = await stack.http(link, { method: 'POST' });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toMatch(/You(&#39;|')re subscribed/);
    expect(await statusOf('scanned@example.org')).toBe('active');
    await stack.sink.waitFor(() => welcomes() === 1);
  });

  it('rejects forged, wrong-purpose and expired tokens with a 4xx page and changes nothing', async () => {
    await stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'wait@example.org' }) });
    const id = await idOf('wait@example.org');
    const expired = tokens.sign(id, 'confirm', Math.floor(Date.now() / 1000) - 8 * 24 * 3600);
    for (const [token, status] of [
      ['nonsense', 400],
      [tokens.sign(id, 'unsubscribe'), 400],
      [createTokens('another-secret-another-secret-12345').sign(id, 'confirm'), 400],
      [expired, 410],
    ] as const) {
      for (const method of ['GET', 'POST']) {
        const res = await stack.http(`/confirm/${token}`, { method });
        expect(res.status).toBe(status);
        expect(res.headers.get('content-type')).toMatch(/text\/html/);
      }
    }
    expect(await statusOf('wait@example.org')).toBe('pending');
  });
});

describe('unsubscribe', () => {
  it('GET changes nothing; a multipart one-click POST unsubscribes; the page offers to come back', async () => {
    await subscribeAndConfirm(stack, 'leaver@example.org', 'weekly');
    const token = tokens.sign(await idOf('leaver@example.org'), 'unsubscribe');
    const get = await stack.http(`/unsubscribe/${token}`);
    expect(get.status).toBe(200);
    const ask = await get.text();
    expect(ask).toContain(`action="/unsubscribe/${token}"`);
    // It names the address and the list, and offers to pause or go weekly instead.
    expect(ask).toMatch(/<strong>leaver@example\.org<\/strong> will receive no more papermail digests \(weekly\)/);
    expect(ask).toMatch(/href="\/preferences\/[^"]+">Pause, or switch to weekly instead/);
    expect(await statusOf('leaver@example.org')).toBe('active');
    const body = new FormData();
    body.set('List-Unsubscribe', 'One-Click');
    const post = await stack.http(`/unsubscribe/${token}`, { method: 'POST', body });
    expect(post.status).toBe(200);
    expect(post.headers.get('location')).toBeNull();
    const page = await post.text();
    expect(page).toContain('action="/subscribe"');
    expect(page).toContain('value="leaver@example.org"');
    expect(page).toMatch(/value="weekly" checked/);
    expect(await statusOf('leaver@example.org')).toBe('unsubscribed');
    // Idempotent, and a button POST with an empty body works too.
    expect((await stack.http(`/unsubscribe/${token}`, { method: 'POST' })).status).toBe(200);
    // Coming back to the link says so, rather than asking again.
    expect(await (await stack.http(`/unsubscribe/${token}`)).text()).toMatch(/<h1>You(&#39;|')re unsubscribed<\/h1>/);
  });

  it('rejects an invalid token with 400', async () => {
    expect((await stack.http('/unsubscribe/1.abc.AAAAAAAAAAAAAAAAAAAAAA', { method: 'POST' })).status).toBe(400);
    expect((await stack.http('/unsubscribe/x')).status).toBe(400);
  });

  it('resubscribing after leaving needs a fresh confirmation', async () => {
    await subscribeAndConfirm(stack, 'back@example.org');
    await stack.http(`/unsubscribe/${tokens.sign(await idOf('back@example.org'), 'unsubscribe')}`, { method: 'POST' });
    await stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'back@example.org' }) });
    expect(await statusOf('back@example.org')).toBe('pending');
  });
});

describe('admin API', () => {
  it('answers 401 without the right bearer token', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN}x`]) {
      const res = await stack.http('/api/admin/editions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: '{"frequency":"daily"}',
      });
      expect(res.status).toBe(401);
    }
  });

  it('validates its input and reports unknown editions', async () => {
    expect((await stack.admin('/editions', { frequency: 'hourly' })).status).toBe(400);
    expect((await stack.admin('/editions', {})).status).toBe(400);
    expect((await stack.admin('/editions/999999')).status).toBe(404);
    expect((await stack.admin('/editions/abc')).status).toBe(400);
  });
});

describe('health', () => {
  it('is alive and ready when Postgres and the queue answer', async () => {
    expect(await (await stack.http('/health')).json()).toEqual({ status: 'ok' });
    const ready = await stack.http('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', queue: 'ok', smtp: 'ok' } });
  });

  it('answers 404 with a page for unknown paths', async () => {
    expect((await stack.http('/nope')).status).toBe(404);
  });
});

describe('the dev inbox', () => {
  // The built-in catcher (SMTP_URL unset) keeps every reader's links; it must not face a network by default.
  it.each([
    [{ HOST: '0.0.0.0' }, 404],
    [{ HOST: '0.0.0.0', DEV_INBOX: 'true' }, 200],
    [{ HOST: '127.0.0.1' }, 200],
  ] as const)('with %j answers %i', async (env, status) => {
    const dev = await startStack('postgres', { SMTP_URL: '', ...env });
    try {
      const base = `http://127.0.0.1:${new URL(dev.base).port}`;
      expect((await fetch(`${base}/dev/inbox`)).status).toBe(status);
      expect((await fetch(`${base}/dev/inbox.json`)).status).toBe(status);
    } finally {
      await dev.close();
    }
  });
});

describe('security headers', () => {
  it('puts a strict CSP, no-referrer, nosniff and no framing on every HTML page, error pages included', async () => {
    for (const path of ['/', '/archive', '/archive.rss', '/confirm/nonsense', '/unsubscribe/nonsense', '/preferences/nonsense', '/no/such/page']) {
      const res = await stack.http(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect([path, csp]).toEqual([path, expect.stringContaining("frame-ancestors 'none'")]);
      expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain("base-uri 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});
