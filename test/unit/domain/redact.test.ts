import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipForLog, LOGGED_URL_MAX, maskAddresses, redactUrl } from '../../../src/domain/redact.js';

// The pattern the scan replaced (it took quadratic time on a long run of letters): the oracle of what a
// masked text must look like.
const OLD = /([A-Za-z0-9!#$&'*+^_`{|}~.-])[A-Za-z0-9!#$&'*+^_`{|}~.-]*(@|%40)([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const oracle = (text: string) => text.replace(OLD, (_m, first: string, at: string, domain: string) => `${first}***${at}${domain}`);

// Texts made of what addresses and URLs are made of, so that near-addresses are common.
const piece = fc.constantFrom('a', 'b', 'Z', '0', '9', '.', '-', '+', '_', '@', '%40', '%4', '%', '/', '?', '=', '&', ' ', 'org', 'x.io', '..', '@@', 'é');
const texty = (maxLength: number) => fc.array(piece, { maxLength }).map((parts) => parts.join(''));

describe('log redaction', () => {
  it('masks every address in a text, keeping the first character and the domain', () => {
    expect(maskAddresses('550 5.1.1 <bob.smith@example.org>: Recipient address rejected; also alice+x@uni.edu')).toBe(
      '550 5.1.1 <b***@example.org>: Recipient address rejected; also a***@uni.edu',
    );
    expect(maskAddresses('no address here')).toBe('no address here');
    expect(maskAddresses('bob%40example.org and a@b.c and x@y.co5')).toBe('b***%40example.org and a@b.c and x***@y.co5');
  });

  it('masks exactly what the old pattern masked, on 5,000 generated texts', () => {
    fc.assert(
      fc.property(texty(60), (text) => {
        expect(maskAddresses(text)).toBe(oracle(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('looks at each character a bounded number of times: 100 random 64 KB texts, and the inputs that made the pattern quadratic', () => {
    const check = (text: string) => {
      const steps = { n: 0 };
      maskAddresses(text, steps);
      // The scan, the walk back over a local part and the walk over a domain: at most three looks a character.
      expect(steps.n).toBeLessThanOrEqual(3 * text.length + 3);
    };
    fc.assert(fc.property(texty(20_000).map((t) => t.padEnd(64 * 1024, 'a').slice(0, 64 * 1024)), check), { numRuns: 100 });
    for (const worst of ['a'.repeat(65_536), `${'a'.repeat(32_768)}@${'b'.repeat(32_767)}`, 'a@'.repeat(32_768), `a@${'b.'.repeat(32_767)}`, '%40a'.repeat(16_384)]) check(worst);
  });

  it('cuts every route parameter but ids, by the route it matched; masks addresses; keeps secret query values short', () => {
    const token = '12.m3k9x.ABCDEFGHIJKLMNOPQRSTUV';
    expect(redactUrl(`/unsubscribe/${token}`, { pattern: '/unsubscribe/:token', params: { token } })).toBe('/unsubscribe/12.m3k…');
    expect(redactUrl(`/preferences/${token}/data-link`, { pattern: '/preferences/:token/data-link', params: { token } })).toBe('/preferences/12.m3k…/data-link');
    expect(redactUrl(`/feedback/2511.01234/${token}?choice=more`, { pattern: '/feedback/:paper/:token', params: { paper: '2511.01234', token } })).toBe(
      '/feedback/2511.01234/12.m3k…?choice=more',
    );
    // A parameter a later route adds is cut unless it is allowed to show.
    expect(redactUrl(`/feed/${token}.atom`, { pattern: '/feed/:key.atom', params: { key: token } })).toBe('/feed/12.m3k….atom');
    expect(redactUrl('/api/admin/suppressions/bob%40example.org', { pattern: '/api/admin/suppressions/:email', params: { email: 'bob@example.org' } })).toBe(
      '/api/admin/suppressions/b***@example.org',
    );
    expect(redactUrl('/admin/subscribers?search=carol@example.org&status=active')).toBe('/admin/subscribers?search=c***@example.org&status=active');
    expect(redactUrl('/admin/subscribers/import?_csrf=abcdefghijklmnop&mode=consented')).toBe('/admin/subscribers/import?_csrf=abcdef…&mode=consented');
    expect(redactUrl('/archive/3', { pattern: '/archive/:id', params: { id: '3' } })).toBe('/archive/3');
    // No route matched: the first segment as it is, any long segment after it cut.
    expect(redactUrl(`/confirm/${token}/extra`)).toBe('/confirm/12.m3k…/extra');
  });

  it('keeps at most 2 KB of a URL, and says how much more there was', () => {
    const logged = redactUrl(`/?${'a'.repeat(16_300)}`);
    expect(logged).toHaveLength(LOGGED_URL_MAX + '…[14254 more]'.length);
    expect(logged.endsWith('…[14254 more]')).toBe(true);
  });

  it('keeps a client address whole, cut to its network, or not at all (LOG_IP)', () => {
    expect(ipForLog('203.0.113.77', 'full')).toBe('203.0.113.77');
    expect(ipForLog('203.0.113.77', 'truncated')).toBe('203.0.113.0/24');
    expect(ipForLog('::ffff:203.0.113.77', 'truncated')).toBe('203.0.113.0/24');
    expect(ipForLog('2001:db8:abcd:12:34::1', 'truncated')).toBe('2001:db8:abcd::/48');
    expect(ipForLog('203.0.113.77', 'none')).toBeUndefined();
    expect(ipForLog('not an address', 'truncated')).toBeUndefined();
  });
});
