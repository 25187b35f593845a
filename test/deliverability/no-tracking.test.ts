// No pixels, ever: every kind of mail papermail sends (confirmation, welcome, digest, data link) carries no
// image but the operator's LOGO_URL, no tracking pixel, no per-open beacon, and no link that counts clicks
// through a redirect: every link is the paper's own, or the reader's own page on PUBLIC_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, readerWithEveryMail, startStack, type Stack } from '../helpers/stack.js';

const LOGO_URL = 'https://cdn.example.org/logo.png';

describe('no tracking in any mail', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('postgres', { LOGO_URL });
  });
  afterAll(async () => stack?.close());

  it('has no image but the logo, no pixel, and no redirect in front of any link', async () => {
    const email = 'untracked@example.net';
    await readerWithEveryMail(stack, email);
    const kinds = [/Confirm/, /Welcome/, /Trending papers/, /download or erase/];
    const mails = await stack.sink.waitFor((m) => kinds.every((k) => m.some((x) => x.envelopeTo.includes(email) && k.test(x.parsed.subject ?? ''))));
    const mine = mails.filter((m) => m.envelopeTo.includes(email));
    expect(mine.length).toBeGreaterThanOrEqual(4);
    for (const mail of mine) {
      const kind = mail.parsed.subject ?? '';
      const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
      const images = [...html.matchAll(/<img\b[^>]*>/gi)].map((m) => m[0]);
      for (const img of images) expect(img, kind).toContain(`src="${LOGO_URL}"`);
      // The digest shows the logo (so the scan above has something to look at); nothing else is an image.
      if (/Trending papers/.test(kind)) expect(images, kind).toHaveLength(1);
      // Nothing else that a client fetches on open: no background images, no CSS url(), no <picture>/<video>.
      expect(html, kind).not.toMatch(/background=|url\(|<picture|<video|<audio|<iframe/i);
      expect(mail.parsed.attachments ?? [], kind).toHaveLength(0);
      for (const [, href] of html.matchAll(/href="([^"]+)"/gi)) {
        const url = href!.replace(/&amp;/g, '&');
        if (url.startsWith('mailto:')) continue;
        expect(url, `${kind}: ${url}`).toMatch(/^https:\/\//);
        // A link to our own site is a page of the reader's (confirm, preferences, feedback, archive…), never a redirect.
        if (url.startsWith(PUBLIC_URL)) expect(url, kind).not.toMatch(/[?&](url|to|redirect|target|u)=/i);
      }
    }
  });
});
