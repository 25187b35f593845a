// DKIM signatures made from a message's pieces (mail/dkim.ts: cached canonical pieces, native hashing) verify
// with two independent verifiers, mailauth in Node and dkimpy in Python, on 10,000 messages whose per-reader
// parts are random: lines that start with a dot, trailing spaces and tabs, runs of blanks, long lines,
// non-ASCII names and words, empty parts, empty lines at the end, and pieces cut anywhere (inside a CRLF too).
// Breaking one byte of the body or of a signed header makes verification fail.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDkimSigner } from '../../src/mail/dkim.js';
import { dkimKeys } from '../helpers/dkim-keys.js';

const keys = dkimKeys();
const N = 10_000;

// The edition's own text: long pieces shared by every message (what the signer remembers), with the shapes
// relaxed canonicalization changes: blank runs, trailing blanks, empty lines, a dot at a line's start.
const EDITION = [
  `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${'Attention  is\tall you need   \r\n'.repeat(12)}`,
  `${'=E2=80=94 a paper about\t\tdiffusion models =\r\n'.repeat(10)}\r\n\r\n`,
  `.leading dot line of the edition\r\n${'word '.repeat(80)}\r\n   \t \r\n\r\n`,
  `<tr><td style=3D"padding:0">  ${'x'.repeat(300)}  </td></tr>\r\n`,
  `tail of a line without its break ${'y '.repeat(150)}`,
];

const blank = fc.constantFrom(' ', '\t', '  ', ' \t ', '\t\t');
const word = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', minLength: 0, maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '')),
  fc.constantFrom('Zoë', 'Ångström', 'Łukasz', '田中', 'Müller–Lüdenscheidt', 'naïve café', '🙂'),
  fc.constantFrom('.', '..', '.dot', 'x'.repeat(1200), ''),
);
// A reader's part: words and blanks, with line breaks among them.
const part = fc.array(fc.oneof({ weight: 4, arbitrary: word }, { weight: 2, arbitrary: blank }, { weight: 2, arbitrary: fc.constant('\r\n') }), { maxLength: 14 }).map((a) => a.join(''));

/** Cuts a string into pieces at random places (a CRLF may be cut between its CR and its LF). */
const cuts = (s: string, at: number[]) => {
  const points = [...new Set(at.map((p) => Math.floor(p * s.length)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of points) out.push(s.slice(from, p)), (from = p);
  out.push(s.slice(from));
  return out;
};

const message = fc.record({
  name: fc.oneof(word, fc.constantFrom('Zoë Ångström', 'Dr. 田中 太郎')),
  subject: fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join(' ')),
  headerCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
  body: fc.array(fc.oneof(fc.nat(EDITION.length - 1), part), { maxLength: 10 }),
  bodyCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
  end: fc.constantFrom('', '\r\n', '\r\n\r\n\r\n', '  \r\n', '\r\n \t\r\n'),
});

/** A message as pieces: the header section cut at random, the edition's pieces whole, a reader's parts cut at random. */
type Message = typeof message extends fc.Arbitrary<infer T> ? T : never;
function piecesOf(m: Message, i: number): string[] {
  const head =
    `From: papermail <digest@example.org>\r\nTo: "${m.name.replace(/["\\]/g, '')}" <reader${i}@example.net>\r\n` +
    `Subject: ${m.subject.replace(/\s+$/, '') || 'x'}\r\nDate: Tue, 08 Dec 2026 03:00:00 +0000\r\nMessage-ID: <${i}.digest@example.org>\r\n` +
    `List-Unsubscribe: <https://papermail.example.org/unsubscribe/${i}.${'t'.repeat(60)}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n` +
    `MIME-Version: 1.0\r\n\r\n`;
  const body = m.body.flatMap((b) => (typeof b === 'number' ? [EDITION[b]!] : cuts(b, m.bodyCuts)));
  return [...cuts(head, m.headerCuts), ...body, m.end];
}

describe('DKIM from pieces', () => {
  it(`signs ${N.toLocaleString('en')} messages with random per-reader parts so that mailauth and dkimpy verify both signatures`, async () => {
    const signer = createDkimSigner(keys.config({ ed25519: keys.ed25519 }));
    const folder = mkdtempSync(join(tmpdir(), 'dkim-pieces-'));
    const messages = fc.sample(message, { seed: 6376, numRuns: N }).map((m, i) => {
      const raw = Buffer.from((signer.sign(piecesOf(m, i)) as string[]).join(''), 'utf8');
      writeFileSync(join(folder, `${String(i).padStart(5, '0')}.eml`), raw);
      return { raw, pieces: () => JSON.stringify(piecesOf(m, i)) };
    });
    // dkimpy reads the folder in its own process while mailauth verifies here.
    const python = keys.dkimpy(folder);
    let mailauthPassed = 0;
    const failures: string[] = [];
    for (const [i, m] of messages.entries()) {
      const verdict = await keys.mailauth(m.raw);
      if (verdict.length === 2 && verdict.every(([, r]) => r === 'pass')) mailauthPassed++;
      else if (failures.length < 5) failures.push(`${i}: ${JSON.stringify(verdict)} ${m.pieces()}`);
    }
    expect(failures).toEqual([]);
    expect(mailauthPassed).toBe(N);
    const py = await python;
    expect(py).toMatchObject({ messages: N, signatures: 2 * N, passed: 2 * N, failed: [] });
    expect(py.algorithms).toEqual({ 'rsa-sha256': N, 'ed25519-sha256': N });
  }, 600_000);

  it('fails verification when one byte of the body or of a signed header changes', async () => {
    const signer = createDkimSigner(keys.config({ ed25519: keys.ed25519 }));
    const raw = Buffer.from((signer.sign(piecesOf(fc.sample(message, { seed: 8463, numRuns: 1 })[0]!, 1)) as string[]).join(''), 'utf8');
    expect(await keys.mailauth(raw)).toEqual([
      ['rsa-sha256', 'pass'],
      ['ed25519-sha256', 'pass'],
    ]);
    const text = raw.toString('latin1');
    const bodyAt = text.indexOf('\r\n\r\n') + 4;
    const mutated = (at: number) => {
      const b = Buffer.from(raw);
      b[at] = b[at] === 0x41 ? 0x42 : 0x41;
      return b;
    };
    const targets = {
      'the body': bodyAt + Math.floor((raw.length - bodyAt) / 2),
      'the From header': text.indexOf('digest@example.org') + 1,
      'the Subject header': text.indexOf('\r\nSubject: ') + 11,
      'the List-Unsubscribe header': text.indexOf('/unsubscribe/') + 3,
      'the List-Unsubscribe-Post header': text.indexOf('One-Click') + 1,
    };
    const folder = mkdtempSync(join(tmpdir(), 'dkim-mutated-'));
    for (const [what, at] of Object.entries(targets)) {
      const verdict = await keys.mailauth(mutated(at));
      // mailauth says "neutral" for a body hash that does not match, "fail" for a signature that does not.
      expect(verdict.map(([, r]) => r === 'pass'), what).toEqual([false, false]);
      writeFileSync(join(folder, `${what.replace(/\W+/g, '-')}.eml`), mutated(at));
    }
    const py = await keys.dkimpy(folder);
    expect(py).toMatchObject({ messages: 5, signatures: 10, passed: 0 });
    expect(py.failed).toHaveLength(5);
  });

  it('signs with the next RSA key from its date on, and with Ed25519 beside it throughout', async () => {
    const from = new Date('2027-03-01T00:00:00Z');
    let now = new Date('2027-02-28T23:59:59Z');
    const signer = createDkimSigner(keys.config({ ed25519: keys.ed25519, next: keys.next(from) }), () => now);
    const sign = () => Buffer.from((signer.sign(piecesOf(fc.sample(message, { seed: 1, numRuns: 1 })[0]!, 7)) as string[]).join(''), 'utf8');
    const selectors = (raw: Buffer) => [...raw.toString('latin1').matchAll(/\bs=([\w.-]+);/g)].map((m) => m[1]);
    const before = sign();
    expect(selectors(before)).toEqual(['pm2026', 'ed2026']);
    now = from;
    const after = sign();
    expect(selectors(after)).toEqual(['pm2027', 'ed2026']);
    for (const raw of [before, after]) expect((await keys.mailauth(raw)).map(([, r]) => r)).toEqual(['pass', 'pass']);
  });
});
