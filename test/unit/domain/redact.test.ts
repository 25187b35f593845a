import { describe, expect, it } from 'vitest';
import { maskAddresses, redactUrl } from '../../../src/domain/redact.js';

describe('log redaction', () => {
  it('masks every address in a text, keeping the first character and the domain', () => {
    expect(maskAddresses('550 5.1.1 <bob.smith@example.org>: Recipient address rejected; also alice+x@uni.edu')).toBe(
      '550 5.1.1 <b***@example.org>: Recipient address rejected; also a***@uni.edu',
    );
    expect(maskAddresses('no address here')).toBe('no address here');
  });

  it('cuts link tokens and masks addresses in request URLs, in paths and queries, encoded or not', () => {
    expect(redactUrl('/unsubscribe/12.m3k9x.ABCDEFGHIJKLMNOPQRSTUV')).toBe('/unsubscribe/12.m3k…');
    expect(redactUrl('/preferences/12.m3k9x.ABCDEFGHIJKLMNOPQRSTUV/data-link')).toBe('/preferences/12.m3k…/data-link');
    expect(redactUrl('/api/admin/suppressions/bob%40example.org')).toBe('/api/admin/suppressions/b***%40example.org');
    expect(redactUrl('/admin/subscribers?search=carol@example.org&status=active')).toBe('/admin/subscribers?search=c***@example.org&status=active');
    expect(redactUrl('/archive/3')).toBe('/archive/3');
  });
});
