// The content policy for outside text and links: only http(s) links, no credentials, no control characters.
import { describe, expect, it } from 'vitest';
import { cleanText, MAX_URL_LENGTH, safeUrl } from '../../../src/domain/safe-content.js';
import { sanitizePaper } from '../../../src/sources/sanitize.js';

describe('safeUrl', () => {
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)',
    '  javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'ftp://example.org/x',
    '//evil.example/x',
    '/relative/path',
    'https://example.org/\u0000x',
    `https://example.org/${'a'.repeat(MAX_URL_LENGTH)}`,
    '',
  ])('refuses %j', (raw) => expect(safeUrl(raw)).toBeNull());

  it('keeps http and https links, without credentials', () => {
    expect(safeUrl('https://github.com/org/repo')).toBe('https://github.com/org/repo');
    expect(safeUrl('http://example.org/a?b=c#d')).toBe('http://example.org/a?b=c#d');
    expect(safeUrl('https://user:secret@example.org/x')).toBe('https://example.org/x');
    expect(safeUrl(42)).toBeNull();
  });
});

describe('cleanText', () => {
  it('removes C0 controls and DEL but keeps tab, newline and the rest of Unicode', () => {
    expect(cleanText('a\u0000b\u0001c\u001bd\u007fe')).toBe('abcde');
    expect(cleanText('tab\tand\nnewline · ünïcode ✓')).toBe('tab\tand\nnewline · ünïcode ✓');
  });
});

describe('sanitizePaper', () => {
  const base = { id: '2605.00001', title: 'A paper', abstract: 'x', authors: ['Ada'], links: {}, source: 'hf' };
  it('drops unsafe links, names them, and cleans every text field', () => {
    const s = sanitizePaper({
      ...base,
      title: 'Title\u0000 with NUL\u001b[31m',
      authors: ['Ada\u0001', '\u0002'],
      summary: 'sum\u0007mary',
      keywords: ['k\u0000'],
      links: { hf: 'https://huggingface.co/papers/2605.00001', github: 'javascript:alert(1)', project: 'data:text/html,<script>alert(1)</script>', githubStars: 5 },
      thumbnail: 'javascript:alert(2)',
    });
    expect(s).toMatchObject({
      ok: true,
      paper: { title: 'Title with NUL[31m', authors: ['Ada'], summary: 'summary', keywords: ['k'], links: { hf: 'https://huggingface.co/papers/2605.00001', githubStars: 5 }, thumbnail: null },
    });
    expect(s.ok && s.dropped).toEqual(['github link "javascript:alert(1)"', 'project link "data:text/html,<script>alert(1)</script>"', 'thumbnail']);
  });
  it('skips an item whose title is nothing but control characters', () => {
    expect(sanitizePaper({ ...base, title: '\u0000\u0001' })).toEqual({ ok: false, reason: 'no title left after removing control characters' });
  });
});
