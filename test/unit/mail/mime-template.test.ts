import { SLOT } from '../../../src/domain/marks.js';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMimeTemplate, compileTemplate } from '../../../src/mail/compose/mime-template.js';

const values = (n: number) => ({
  to: `reader${n}@example.org`,
  messageId: `1.${n}.abcdef@papermail.test`,
  date: 'Sun, 29 Nov 2026 08:00:00 +0000',
  unsubscribeUrl: `https://papermail.test/unsubscribe/${n}.tq0.${'Zz_-'.repeat(5)}ab`,
});

describe('prebuilt MIME with per-reader slots', () => {
  const spec = {
    from: 'papermail <digest@papermail.test>',
    subject: 'Trending papers: Ünïcode & friends',
    html: `<html><head></head><body><p>${'long line '.repeat(40)}</p><a href="${SLOT.unsubscribeUrl}">Unsubscribe</a> — é</body></html>`,
    text: `Papers — é\n${'word '.repeat(50)}\nUnsubscribe: ${SLOT.unsubscribeUrl}\n`,
    headers: { 'List-Id': 'papermail daily digest <daily.papermail.papermail.test>' },
    listUnsubscribe: true,
  };

  it('fills every slot and parses back to the same message for each reader', async () => {
    const t = await buildMimeTemplate(spec);
    for (const n of [1, 22, 333]) {
      const v = values(n);
      const raw = t.fill(v);
      const m = await simpleParser(raw);
      expect(m.to).toMatchObject({ text: v.to });
      expect(m.messageId).toBe(`<${v.messageId}>`);
      expect(m.subject).toBe(spec.subject);
      expect(m.date?.toISOString()).toBe('2026-11-29T08:00:00.000Z');
      const line = (k: string) => m.headerLines.find((h) => h.key === k)?.line;
      // Folded after the colon (RFC 8058 shows it so): the URL starts a line of its own.
      expect(line("list-unsubscribe")).toBe(`List-Unsubscribe:\r\n <${v.unsubscribeUrl}>`);
      expect(m.headers.get("list")).toMatchObject({ unsubscribe: { url: v.unsubscribeUrl } });
      expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      expect(line('list-id')).toContain('<daily.papermail.papermail.test>');
      expect(m.html).toContain(`href="${v.unsubscribeUrl}"`);
      expect(m.text).toContain(`Unsubscribe: ${v.unsubscribeUrl}\n`);
      expect(m.text).toContain('Papers — é');
      expect(raw).not.toContain('pmslot');
      // Every line stays within the quoted-printable limit, even around the long URL.
      const body = raw.slice(raw.indexOf('\r\n\r\n'));
      expect(Math.max(...body.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(76);
    }
  });

  it('compiles once and refuses line breaks in a value (no header injection)', async () => {
    const t = compileTemplate((await buildMimeTemplate(spec)).source);
    expect(() => t.fill({ ...values(1), to: 'a@example.org\r\nBcc: b@example.org' })).toThrow(/line break/);
    expect(() => t.fill({ to: 'a@example.org', messageId: 'x@y', date: 'now' })).toThrow(/unsubscribeUrl has no value/);
  });

  it('leaves List-Unsubscribe out of transactional mail', async () => {
    const t = await buildMimeTemplate({ from: spec.from, subject: 'Confirm', html: `<a href="${SLOT.actionUrl}">Confirm</a>`, text: `Confirm: ${SLOT.actionUrl}` });
    const m = await simpleParser(t.fill({ to: 'a@example.org', messageId: 'c.1@papermail.test', date: 'Sun, 29 Nov 2026 08:00:00 +0000', actionUrl: 'https://papermail.test/confirm/1.x.y' }));
    expect(m.headerLines.some((h) => h.key === 'list-unsubscribe')).toBe(false);
    expect(m.text).toContain('Confirm: https://papermail.test/confirm/1.x.y');
  });
});
