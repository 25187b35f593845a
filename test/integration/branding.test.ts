// The newsletter is the operator's: with NEWSLETTER_NAME and friends set, no page or mail says "papermail",
// the accent, logo, footer and postal address show, and the List-Id carries the name once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, readerWithEveryMail, startStack, type Stack } from '../helpers/stack.js';

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

/** Signs in to the console as a browser would (its CSRF cookie and field, the same Origin); returns the cookies. */
async function consoleCookies(stack: Stack): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) jar.set(c.split('=')[0]!, c.split(';')[0]!);
  };
  const form = await stack.http('/admin/sign-in');
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const cookie = () => [...jar.values()].join('; ');
  const res = await stack.http('/admin/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.base, cookie: cookie() },
    body: new URLSearchParams({ token: ADMIN_TOKEN, _csrf: csrf }).toString(),
  });
  expect(res.status).toBe(303);
  keep(res);
  return cookie();
}

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
    const post = async (path: string, body: string) => (await stack.http(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })).text();
    pages['POST /subscribe'] = await post('/subscribe', 'email=other%40example.net');
    // The feedback page, its answer, and the reading list it fills.
    const digestText = stack.sink.to(email).find((m) => /^Trending papers/.test(m.parsed.subject ?? ''))!.parsed.text!;
    const feedback = /https:\/\/papermail\.test(\/feedback\/\S+)\?choice=more/.exec(digestText)![1]!;
    pages[`${feedback}?choice=more`] = await (await stack.http(`${feedback}?choice=more`)).text();
    pages[`POST ${feedback}`] = await post(feedback, 'choice=more');
    const readingList = /href="(\/reading-list\/[^"]+)"/.exec(pages[links.preferences]!)![1]!;
    pages[readingList] = await (await stack.http(readingList)).text();
    // The console, signed in: every page an operator opens.
    const cookie = await consoleCookies(stack);
    for (const path of ['/admin/sign-in', '/admin', '/admin/editions', `/admin/editions/${id}`, '/admin/subscribers', '/admin/subscribers/1', '/admin/import', '/admin/suppressions', '/admin/papers']) {
      const res = await stack.http(path, { headers: path === '/admin/sign-in' ? {} : { cookie } });
      expect(res.status, path).toBe(200);
      pages[path] = await res.text();
    }
    // The pages after a button: confirmed, unsubscribed.
    pages[`POST ${links.confirm}`] = await post(links.confirm, '');
    pages[`POST ${links.unsubscribe}`] = await post(links.unsubscribe, '');
    pages[`${links.unsubscribe} (after)`] = await (await stack.http(links.unsubscribe)).text();
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
    const apiDoc = (await (await stack.http('/openapi.json')).json()) as { info: { title: string } };
    expect(apiDoc.info.title).toBe('Papers Weekly API');
    const docsUi = await stack.http('/docs/', { redirect: 'follow' });
    expect(docsUi.status).toBe(200);
    expect(await docsUi.text()).not.toMatch(PAPERMAIL);
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
      // Nor in any header (From, List-Id, Feedback-ID, Message-ID) or the raw source.
      // (quoted-printable soft line breaks joined, and a line's leading dot written =2E read back, so that a
      // host cut at the end of a line is seen whole)
      expect(m.raw.toString('utf8').replace(/=\r\n/g, '').replace(/=2E/g, '.'), m.parsed.subject).not.toMatch(PAPERMAIL);
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
