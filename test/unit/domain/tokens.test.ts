import { describe, expect, it } from 'vitest';
import { createTokens, safeEqual } from '../../../src/domain/tokens.js';

describe('link tokens', () => {
  let now = Date.UTC(2026, 10, 29);
  const tokens = createTokens('a'.repeat(40), () => now);

  it('round-trips a subscriber id and purpose', () => {
    const t = tokens.sign(42, 'unsubscribe');
    expect(t).toMatch(/^42\.[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    expect(tokens.verify(t, 'unsubscribe')).toMatchObject({ subscriberId: 42, purpose: 'unsubscribe' });
  });

  it('does not accept a token for another purpose, id or secret', () => {
    const t = tokens.sign(42, 'unsubscribe');
    expect(tokens.verify(t, 'confirm')).toBeNull();
    expect(tokens.verify(t.replace(/^42/, '43'), 'unsubscribe')).toBeNull();
    expect(createTokens('b'.repeat(40), () => now).verify(t, 'unsubscribe')).toBeNull();
  });

  it('rejects tampering and garbage', () => {
    const t = tokens.sign(7, 'confirm');
    const flipped = t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A');
    for (const bad of [flipped, '', 'x', '7..', `${t}x`, '0.abc.AAAAAAAAAAAAAAAAAAAAAA', '../../etc/passwd', t.toUpperCase()])
      expect(tokens.verify(bad, 'confirm')).toBeNull();
  });

  it('expires when a maximum age is given', () => {
    const t = tokens.sign(7, 'confirm');
    now += 8 * 24 * 3600 * 1000;
    expect(tokens.verify(t, 'confirm', 7 * 24 * 3600)).toBeNull();
    expect(tokens.verify(t, 'confirm')).not.toBeNull();
  });

  it('differs for every subscriber: 128 bits of MAC each', () => {
    const macs = new Set(Array.from({ length: 1000 }, (_, i) => tokens.sign(i + 1, 'unsubscribe').split('.')[2]));
    expect(macs.size).toBe(1000);
  });

  it('compares secrets of any length in constant time', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
