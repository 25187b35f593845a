// Generators of hostile input for the security suite (fast-check).
import fc from 'fast-check';

/** Text that would show up as markup if any page echoed it unescaped. */
const MARK = '<x-fz a="1">';
export const MARK_FOUND = /<x-fz/i;

/** Strings an attacker tries: markup, header injection, NUL, encodings, traversal, prototype keys, sheer size. */
export const nasty = fc.constantFrom(
  MARK,
  `"><x-fz onload=alert(1)>`,
  `'><x-fz>`,
  '\r\nBcc: victim@example.org',
  '\nX-Injected: 1',
  '\u0000',
  '%00',
  '%0d%0aSet-Cookie:%20a=b',
  '__proto__',
  'constructor',
  'prototype',
  "'; drop table subscribers; --",
  '../../../../etc/passwd',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '\u202e\u2066',
  '\ud800',
  '😀'.repeat(300),
  'a'.repeat(20_000),
  '${7*7}{{7*7}}',
  '1e309',
  '-1',
  '99999999999999999999',
  'NaN',
  '',
  ' ',
);

/** Any text: plain, full unicode, or the nasty ones, alone or glued together. */
export const text = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), nasty, fc.string({ maxLength: 10 })).map((p) => p.join('')) },
);

/** JSON values of every shape: text, numbers, null, arrays and objects (with prototype keys). */
export const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(text, fc.constantFrom('__proto__', 'constructor')), text, { maxKeys: 3 }) },
);

/** An email address that no validator may accept: a forbidden character, no "@", or too long. */
export const invalidEmail = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,12}$/), fc.constantFrom(' ', '\r\n', '\u0000', '<', '>', '(', ')', ',', ';', ':', '"', '[', 'é', '\\', '@', '..', '\u00a0', MARK), fc.stringMatching(/^[a-z]{1,12}$/))
    .map(([a, bad, b]) => `${a}${bad}${b}@example.org`),
  fc.stringMatching(/^[a-z]{1,12}$/).map((a) => `${a}@`),
  fc.stringMatching(/^[a-z]{1,12}$/).map((a) => `${a}.example.org`),
  fc.stringMatching(/^[a-z]{1,12}$/).map((a) => `${a}@${'x'.repeat(250)}.org`),
  fc.stringMatching(/^[a-z]{1,12}$/).map((a) => `${a}@localhost`),
  fc.stringMatching(/^[a-z]{1,12}$/).map((a) => `${a}@example.123`),
  fc.constantFrom('', ' ', '@', '@@', MARK, '"a b"@example.org', 'a@b@example.org'),
);

/** Mutations of a real token: every one of them must be refused. */
export function forgedToken(real: string, others: string[]): fc.Arbitrary<string> {
  const [id, stamp, mac] = real.split('.') as [string, string, string];
  const flip = (s: string, i: number, alphabet: string) => {
    const at = i % s.length;
    const c = s[at]!;
    const next = alphabet[(alphabet.indexOf(c) + 1 + (i % (alphabet.length - 1))) % alphabet.length]!;
    return s.slice(0, at) + (next === c ? alphabet[0] : next) + s.slice(at + 1);
  };
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return fc.oneof(
    fc.nat().map((i) => `${id}.${stamp}.${flip(mac, i, B64)}`), // a bit of the MAC
    fc.nat().map((i) => `${id}.${flip(stamp, i, '0123456789abcdefghijklmnopqrstuvwxyz')}.${mac}`), // the issue time
    fc.integer({ min: 1, max: 1_000_000 }).filter((n) => String(n) !== id).map((n) => `${n}.${stamp}.${mac}`), // another reader
    fc.integer({ min: 1, max: real.length - 1 }).map((n) => real.slice(0, n)), // truncated
    fc.string({ minLength: 1, maxLength: 3 }).map((s) => real + s), // extended
    fc.constantFrom(...others), // another purpose's (or another secret's) valid token
    fc.constant(`0${id}.${stamp}.${mac}`), // a non-canonical id
    fc.constant(`${id}.${stamp}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`), // the spare bits of the last character
    fc.constant(real.toUpperCase()),
    fc.constant(`${id}.${stamp}.${Buffer.from(mac, 'base64url').toString('base64')}`), // standard base64
    text.map((t) => enc(t).slice(0, 190) || "x"),
  ).filter((t) => t !== real);
}

/** encodeURIComponent that never throws: a lone surrogate (which no URL can hold) becomes U+FFFD. */
export const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
