// A digest rendered once per edition in parts, then assembled per reader by substitution: the same words
// as a digest rendered for that list alone, every reader's own links and lines, valid MIME, no mark left.
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildDigestFrame, compileDigest, type StoredDigest } from '../../../src/mail/compose/digest-message.js';
import { renderDigestParts } from '../../../src/digest/digest-parts.js';
import { digestWords, renderDigest, type DigestPaper } from '../../../src/digest/render-digest.js';
import { SLOT, VIEW } from '../../../src/domain/marks.js';
import { createPiecesReadiness, isSmtpDataReady } from '../../../src/mail/smtp-data.js';

const piecesSmtpDataReady = createPiecesReadiness();

const seed = JSON.parse(readFileSync(new URL('../../../seeds/papers.json', import.meta.url), 'utf8')) as { papers: DigestPaper[] };
const pool: DigestPaper[] = seed.papers.slice(0, 20).map((p, i) => ({ ...p, upvotes: i === 3 ? null : 100 - i, title: i === 5 ? `Ünïcode — “${p.title}” & <b>more</b>` : p.title }));
const ctx = { frequency: 'daily' as const, siteHost: 'papermail.test', webUrl: 'https://papermail.test/archive/7' };
const values = (n: number, ids: string[]) => ({
  to: `reader${n}@example.org`,
  messageId: `7.${n}.tag@papermail.test`,
  date: 'Mon, 30 Nov 2026 08:00:00 +0000',
  unsubscribeUrl: `https://papermail.test/unsubscribe/${n}.tq0.${'Zz_-'.repeat(5)}ab`,
  preferencesUrl: `https://papermail.test/preferences/${n}.tq0.${'Yy_-'.repeat(5)}cd`,
  feedback: ids.map((id) => `https://papermail.test/feedback/${id}/${n}.tq0.${'Xx_-'.repeat(5)}ef`),
});

describe('a digest in parts', async () => {
  const parts = await renderDigestParts(pool, ctx);
  const stored: StoredDigest = { frequency: 'daily', frame: await buildDigestFrame({ from: 'papermail <digest@papermail.test>', headers: { 'List-Id': 'papermail daily digest <daily.papermail.test>' } }), parts };
  const digest = compileDigest(JSON.parse(JSON.stringify(stored)) as StoredDigest, digestWords);

  it('assembles the same words as a render of that list alone, in the list order', async () => {
    const ids = [pool[5]!.id, pool[0]!.id, pool[12]!.id, pool[3]!.id];
    const list = ids.map((id) => pool.find((p) => p.id === id)!);
    const v = values(1, ids);
    const raw = digest.fill(ids, { day: '2026-11-30', topics: ['diffusion', 'cs.CL'] }, v);
    expect(raw).not.toMatch(/pmv|pmslot/);
    const m = await simpleParser(raw);
    const alone = await renderDigest(list, { ...ctx, day: '2026-11-30', topics: ['diffusion', 'cs.CL'] });
    const fill = (s: string) =>
      s.replaceAll(SLOT.unsubscribeUrl, v.unsubscribeUrl).replaceAll(SLOT.preferencesUrl, v.preferencesUrl);
    const text = fill(alone.text).split(`${VIEW.feedback}?`).map((piece, i) => (i === 0 ? piece : `${v.feedback[Math.floor((i - 1) / 2)]}?${piece}`)).join('');
    expect(m.text).toBe(text);
    expect(m.subject).toBe(alone.subject);
    expect(m.to).toMatchObject({ text: v.to });
    expect(m.messageId).toBe(`<${v.messageId}>`);
    expect(m.headers.get('list')).toMatchObject({ unsubscribe: { url: v.unsubscribeUrl } });
    // HTML: the entries in order, each with its place, its links and the reader's feedback links.
    const html = String(m.html);
    let at = -1;
    ids.forEach((_id, i) => {
      const where = html.indexOf(`${i + 1}.</span>`);
      expect(where).toBeGreaterThan(at);
      at = where;
      expect(html).toContain(`href="${v.feedback[i]}?choice=more"`);
      expect(html).toContain(`href="${v.feedback[i]}?choice=less"`);
      expect(html.indexOf(`href="${v.feedback[i]}?choice=more"`)).toBeGreaterThan(where);
    });
    expect(html).toContain('Ünïcode');
    expect(html).toContain('&lt;b&gt;more&lt;/b&gt;');
    expect(html).toContain('Filtered to your topics: diffusion, cs.CL.');
    expect(html).toContain('30 Nov 2026');
    expect(html).not.toContain(pool[1]!.title.slice(0, 30));
    // Every quoted-printable line stays within 76 characters.
    expect(Math.max(...raw.slice(raw.indexOf('\r\n\r\n')).split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(76);
    // No line starts with ".": SMTP's dot-stuffing has nothing to insert, and the message leaves as built.
    expect(raw).not.toMatch(/(^|\n)\./);
    // So the sender passes it as it is, told so by its pieces as by its bytes.
    const pieces = digest.pieces(ids, { day: '2026-11-30', topics: ['diffusion', 'cs.CL'] }, v);
    expect(pieces.join('')).toBe(raw);
    expect(isSmtpDataReady(Buffer.from(raw))).toBe(true);
    expect(piecesSmtpDataReady(pieces)).toBe(true);
  });

  it("gives each reader their own date, topics, reasons and links, and nobody else's", async () => {
    const ids = [pool[0]!.id, pool[1]!.id];
    const a = await simpleParser(digest.fill(ids, { day: '2026-12-01', because: { [pool[1]!.id]: 'A liked paper & co' } }, values(2, ids)));
    const b = await simpleParser(digest.fill(ids, { day: '2026-11-30' }, values(3, ids)));
    expect(a.text).toContain('Because you liked: A liked paper & co');
    expect(String(a.html)).toContain('Because you liked: <em>A liked paper &amp; co</em>');
    expect(a.text).not.toContain('Filtered to your topics');
    expect(b.text).not.toContain('Because you liked');
    expect(a.subject).toMatch(/^Trending papers, 1 Dec 2026: /);
    expect(b.subject).toMatch(/^Trending papers, 30 Nov 2026: /);
    expect(a.text).toContain(values(2, ids).feedback[1]);
    expect(a.text).not.toContain(values(3, ids).feedback[1]);
    expect(String(b.html)).toContain(values(3, ids).preferencesUrl);
  });

  it('cuts links longer than a line into quoted-printable lines that decode to the link, dots and all', async () => {
    // A long public URL: each link spans several lines, and cuts fall where a line would start with a dot.
    const long = (path: string) => `https://papermail.test/${'a.'.repeat(60)}${path}/${'.b'.repeat(40)}`;
    const ids = [pool[0]!.id, pool[1]!.id];
    const v = { ...values(6, ids), unsubscribeUrl: long('unsubscribe'), preferencesUrl: long('preferences'), feedback: ids.map((id) => long(`feedback/${id}`)) };
    const pieces = digest.pieces(ids, { day: '2026-11-30' }, v);
    const raw = pieces.join('');
    const body = raw.slice(raw.indexOf('\r\n\r\n'));
    expect(Math.max(...body.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(76);
    expect(body).not.toMatch(/\n\./);
    expect(piecesSmtpDataReady(pieces)).toBe(true);
    const m = await simpleParser(raw);
    for (const link of [v.preferencesUrl, ...v.feedback]) expect(m.text).toContain(link);
    expect(String(m.html)).toContain(`href="${v.feedback[1]}?choice=less"`);
    expect(m.headers.get('list')).toMatchObject({ unsubscribe: { url: v.unsubscribeUrl } });
  });

  it('refuses a paper outside the pool, and a line break in a value', () => {
    expect(() => digest.fill(['nope'], { day: '2026-11-30' }, values(4, ['nope']))).toThrow(/not in the edition/);
    const ids = [pool[0]!.id];
    expect(() => digest.fill(ids, { day: '2026-11-30' }, { ...values(5, ids), to: 'a@example.org\r\nBcc: b@example.org' })).toThrow(/line break/);
  });
});
