// The newsletter is the operator's: with NEWSLETTER_NAME and friends set, no page or mail says "papermail",
// the accent, logo, footer and postal address show, and the List-Id carries the name once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerWithEveryMail, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
const BRAND = {
  NEWSLETTER_NAME: 'Papers Weekly',
  MAIL_FROM: 'Papers Weekly <digest@papers.example.org>',
  ACCENT_COLOR: '#aa3355',
  LOGO_URL: 'https://papers.example.org/logo.png',
  FOOTER_TEXT: 'Made by the reading group of the Example Institute.',
  POSTAL_ADDRESS: '1 Example Street, 12345 Example City',
};
const visible = (html: string) => html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ');
// The test stack's PUBLIC_URL is https://papermail.test: that host is the operator's choice, not the brand.
const PAPERMAIL = /papermail(?!\.test)/i;

beforeAll(async () => {
  stack = await startStack('postgres', BRAND);
});
afterAll(async () => stack?.close());

describe('branding', () => {
  it('names the newsletter, never papermail, in every page and mail', async () => {
    const email = 'branded@example.net';
    const { editionId: id, links, data } = await readerWithEveryMail(stack, email);

    const pages: Record<string, string> = {};
    for (const path of ['/', '/archive', `/archive/${id}`, links.preferences, links.unsubscribe, data, `${data}/erase`, '/nowhere', links.confirm])
      pages[path] = await (await stack.http(path)).text();
    pages['POST /subscribe'] = await (await stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=other%40example.net' })).text();
    for (const [path, html] of Object.entries(pages)) {
      expect(html, path).not.toMatch(PAPERMAIL);
      if (path !== `/archive/${id}`) {
        expect(html, path).toContain('<title>');
        expect(html, path).toMatch(/· Papers Weekly<\/title>/);
        expect(html, path).toContain('--accent:#aa3355');
        expect(html, path).toContain('alt="Papers Weekly"');
        expect(visible(html), path).toContain(BRAND.FOOTER_TEXT);
      }
    }
    const rss = await (await stack.http('/archive.rss')).text();
    expect(rss).not.toMatch(PAPERMAIL);
    expect(rss).toContain('Papers Weekly');

    const mails = stack.sink.to(email);
    expect(mails.map((m) => m.parsed.subject)).toEqual(
      expect.arrayContaining(['Confirm your Papers Weekly subscription', 'Welcome to Papers Weekly', 'Your link to download or erase your Papers Weekly data']),
    );
    for (const m of mails) {
      const body = `${m.parsed.subject}\n${m.parsed.text}\n${visible(String(m.parsed.html))}`;
      expect(body, m.parsed.subject).not.toMatch(PAPERMAIL);
    }
    const digest = mails.find((m) => /Trending papers/.test(m.parsed.subject ?? ''))!;
    expect(digest.parsed.text).toContain(BRAND.POSTAL_ADDRESS);
    expect(String(digest.parsed.html)).toContain(BRAND.LOGO_URL);
    expect(String(digest.parsed.html)).toContain('#aa3355');
    const head = digest.raw.toString('utf8').split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
    const listId = /^List-Id: (.*)$/im.exec(head)![1];
    expect(listId).toBe('Papers Weekly daily digest <daily.papers-weekly.papers.example.org>');
  });
});
