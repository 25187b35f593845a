import { describe, expect, it } from 'vitest';
import { checkEmail, parseSignup } from '../../../src/domain/signup.js';

describe('signup validation', () => {
  it.each(['a@example.org', 'first.last+tag@sub.example.co.uk', "o'brien@example.ie", 'A@EXAMPLE.ORG'])('accepts %s', (e) => {
    expect(checkEmail(e)).toBeNull();
  });

  it.each(['', 'plain', '@example.org', 'a@', 'a@@example.org', 'a b@example.org', 'a@example', 'a@-x.org', 'a..b@example.org', 'a@example.123', 'ü@example.org', `${'x'.repeat(65)}@example.org`, `a@${'x'.repeat(250)}.org`])(
    'rejects %j',
    (e) => expect(checkEmail(e)).not.toBeNull(),
  );

  it('trims the address and defaults the frequency to daily', () => {
    expect(parseSignup({ email: '  a@example.org ' })).toEqual({ ok: true, value: { email: 'a@example.org', frequency: 'daily', topics: [] } });
    expect(parseSignup({ email: 'a@example.org', frequency: 'weekly', topics: 'diffusion, cs.LG,,Diffusion' })).toEqual({
      ok: true,
      value: { email: 'a@example.org', frequency: 'weekly', topics: ['diffusion', 'cs.LG'] },
    });
    expect(parseSignup({ email: 'a@example.org', topics: ['reinforcement learning'] })).toMatchObject({ ok: true, value: { topics: ['reinforcement learning'] } });
  });

  it.each([
    [{ email: 'a@example.org\r\nBcc: x@y.org' }, /line breaks/],
    [{ email: 'a@example.org', frequency: 'daily\n' }, /line breaks/],
    [{ email: 'a@example.org', note: 'x\ny' }, /line breaks/],
    [{ email: 'a@example.org', frequency: 'hourly' }, /Unknown frequency/],
    [{ email: 'a@example.org', frequency: 3 }, /must be text/],
    [{ email: 'a@example.org', topics: '<script>' }, /is not a topic/],
    [{ email: 'a@example.org', topics: ['x\ny'] }, /line breaks/],
    [{}, /enter your email/],
    [null, /Send an email/],
    [['a@example.org'], /Send an email/],
  ])('rejects %j', (body, msg) => {
    const r = parseSignup(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(msg);
  });
});
