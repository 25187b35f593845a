// A reader's data behind a fresh link only: the preferences and unsubscribe pages ask for a link mailed to
// the address itself, valid for an hour; erasing takes a second page; a reader who left still gets there.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens } from '../../src/domain/tokens.js';
import { mailedDataLink, startStack, subscribeAndConfirm, type Stack } from '../helpers/stack.js';

let stack: Stack;
let tokens: ReturnType<typeof createTokens>;
const idOf = async (email: string) =>
  (await stack.served.runtime.database.db.execute<{ id: number }>(sql`select id from subscribers where email = ${email}`)).rows[0]?.id ?? null;

beforeAll(async () => {
  stack = await startStack('postgres');
  tokens = createTokens(stack.env.SECRET!);
});
afterAll(async () => stack?.close());

describe('your data', () => {
  it('offers the link on the preferences page, not the export itself', async () => {
    await subscribeAndConfirm(stack, 'keeper@example.org');
    const prefs = `/preferences/${tokens.sign((await idOf('keeper@example.org'))!, 'preferences')}`;
    const page = await (await stack.http(prefs)).text();
    expect(page).toContain(`action="${prefs}/data-link"`);
    expect(page).not.toMatch(/\/export|\/delete/);
    for (const old of ['/export', '/delete']) expect((await stack.http(`${prefs}${old}`, { method: old === '/delete' ? 'POST' : 'GET' })).status).toBe(404);
  });

  it('mails a link that works for an hour; its pages change nothing on GET or HEAD; erasing asks first', async () => {
    const id = (await idOf('keeper@example.org'))!;
    const link = await mailedDataLink(stack, 'keeper@example.org', `/preferences/${tokens.sign(id, 'preferences')}`);
    const mail = stack.sink.to('keeper@example.org').at(-1)!;
    expect(mail.parsed.subject).toBe('Your link to download or erase your papermail data');
    expect(mail.parsed.headers.has('list-unsubscribe')).toBe(false);
    const home = await stack.http(link);
    expect(home.status).toBe(200);
    expect(home.headers.get('cache-control')).toBe('no-store');
    expect(await home.text()).toContain('keeper@example.org');
    const exported = await stack.http(`${link}/export`);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment/);
    expect(((await exported.json()) as { subscriber: { email: string } }).subscriber.email).toBe('keeper@example.org');
    for (const method of ['GET', 'HEAD']) expect((await stack.http(`${link}/erase`, { method })).status).toBe(200);
    expect(await idOf('keeper@example.org')).toBe(id);

    // An hour later the link is dead: a fresh one must be asked for.
    const old = tokens.sign(id, 'data', Math.floor(Date.now() / 1000) - 3601);
    const expired = await stack.http(`/data/${old}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toMatch(/one hour/);
    expect((await stack.http(`/data/${old}/erase`, { method: 'POST' })).status).toBe(410);
    expect(await idOf('keeper@example.org')).toBe(id);

    const erased = await stack.http(`${link}/erase`, { method: 'POST' });
    expect(erased.status).toBe(200);
    expect(await idOf('keeper@example.org')).toBeNull();
    expect((await stack.http(link)).status).toBe(404);
  });

  it('lets a reader who unsubscribed reach their data from the unsubscribe page and their old preferences link', async () => {
    await subscribeAndConfirm(stack, 'leaver@example.org');
    const id = (await idOf('leaver@example.org'))!;
    const unsubscribe = `/unsubscribe/${tokens.sign(id, 'unsubscribe')}`;
    const done = await stack.http(unsubscribe, { method: 'POST' });
    expect(await done.text()).toContain(`action="${unsubscribe}/data-link"`);
    const fromUnsubscribe = await mailedDataLink(stack, 'leaver@example.org', unsubscribe);
    expect((await stack.http(`${fromUnsubscribe}/export`)).status).toBe(200);

    const prefs = `/preferences/${tokens.sign(id, 'preferences')}`;
    const page = await stack.http(prefs);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/You are unsubscribed/);
    expect(html).toContain(`action="${prefs}/data-link"`);
    // Saving preferences still needs a subscription.
    expect((await stack.http(prefs, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ frequency: 'daily' }) })).status).toBe(404);
    const fromPrefs = await mailedDataLink(stack, 'leaver@example.org', prefs);
    expect((await stack.http(`${fromPrefs}/erase`, { method: 'POST' })).status).toBe(200);
    expect(await idOf('leaver@example.org')).toBeNull();
  });

  it('mails at most 3 links an hour per reader, whatever is asked', async () => {
    await subscribeAndConfirm(stack, 'asker@example.org');
    const prefs = `/preferences/${tokens.sign((await idOf('asker@example.org'))!, 'preferences')}`;
    for (let i = 0; i < 8; i++) expect((await stack.http(`${prefs}/data-link`, { method: 'POST' })).status).toBe(200);
    const isLink = (x: { parsed: { subject?: string } }) => /download or erase/.test(x.parsed.subject ?? '');
    await stack.sink.waitFor(() => stack.sink.to('asker@example.org').filter(isLink).length >= 3);
    await new Promise((r) => setTimeout(r, 1500));
    expect(stack.sink.to('asker@example.org').filter(isLink)).toHaveLength(3);
  });
});
