// The signup form's bot guard with a fake clock: honeypot, signed minimum fill time, stale forms, and the
// optional proof-of-work (solved here with altcha-lib, as the page does in the browser).
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { describe, expect, it } from 'vitest';
import { mailboxKey } from '../../../src/domain/mailbox.js';
import { createTokens } from '../../../src/domain/tokens.js';
import { createSignupGuard } from '../../../src/http/signup-guard.js';

const SECRET = 'unit-secret-unit-secret-unit-secret-0123';
// The fake clock starts at the real time: altcha-lib also checks a challenge's expiry on the system clock.
const clock = () => {
  let t = Date.now();
  return { now: () => t, advance: (s: number) => void (t += s * 1000) };
};

describe('mailboxKey', () => {
  it.each([
    ['flood+1@victim.example', 'flood@victim.example'],
    ['FLOOD+2@Victim.Example', 'flood@victim.example'],
    ['Flood@VICTIM.example.', 'flood@victim.example'],
    ['first.last+news@gmail.com', 'firstlast@gmail.com'],
    ['First.Last@googlemail.com', 'firstlast@gmail.com'],
    ['first.last@example.org', 'first.last@example.org'],
    ['+tag@example.org', '+tag@example.org'],
  ])('%s is the inbox %s', (email, key) => expect(mailboxKey(email)).toBe(key));
});

describe('the signup guard', () => {
  const make = (opts: { proofOfWork?: boolean } = {}) => {
    const c = clock();
    const tokens = createTokens(SECRET, c.now);
    return { c, tokens, guard: createSignupGuard({ tokens, secret: SECRET, minFillSeconds: 2, proofOfWork: opts.proofOfWork ?? false, now: c.now }) };
  };

  it('judges a plain post (no form fields) by the rate limits alone', async () => {
    expect(await make().guard.judge({ email: 'a@example.org' })).toBe('person');
  });

  it('takes a filled honeypot for a bot', async () => {
    const { guard, c } = make();
    const f = await guard.fields();
    c.advance(10);
    expect(await guard.judge({ form_ts: f.stamp, website: 'https://spam.example' })).toBe('bot');
    expect(await guard.judge({ form_ts: f.stamp, website: '' })).toBe('person');
  });

  it('takes a form sent back sooner than the minimum fill time, or with a forged stamp, for a bot', async () => {
    const { guard, c, tokens } = make();
    const f = await guard.fields();
    c.advance(1);
    expect(await guard.judge({ form_ts: f.stamp })).toBe('bot');
    c.advance(1);
    expect(await guard.judge({ form_ts: f.stamp })).toBe('person');
    for (const forged of [f.stamp.slice(0, -1) + (f.stamp.endsWith('A') ? 'B' : 'A'), tokens.sign(2, 'form', Math.floor(c.now() / 1000) - 60), tokens.sign(1, 'confirm'), '', ['x'], 42])
      expect(await guard.judge({ form_ts: forged })).toBe('bot');
  });

  it('asks for a fresh form after a day', async () => {
    const { guard, c } = make();
    const f = await guard.fields();
    c.advance(25 * 3600);
    expect(await guard.judge({ form_ts: f.stamp })).toBe('stale');
  });

  it('with proof-of-work on, takes only a solved, signed, unexpired challenge, once', async () => {
    const { guard, c } = make({ proofOfWork: true });
    const f = await guard.fields();
    expect(f.pow).toBeTruthy();
    const challenge = JSON.parse(f.pow!);
    const solution = await solveChallenge({ challenge, deriveKey });
    const payload = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    c.advance(5);
    expect(await guard.judge({ email: 'a@example.org' })).toBe('needs-pow');
    expect(await guard.judge({ altcha: 'bm90IGpzb24=' })).toBe('needs-pow');
    const tampered = Buffer.from(JSON.stringify({ challenge: { ...challenge, parameters: { ...challenge.parameters, keyPrefix: '0' } }, solution })).toString('base64');
    expect(await guard.judge({ altcha: tampered })).toBe('needs-pow');
    const wrong = Buffer.from(JSON.stringify({ challenge, solution: { ...solution, counter: solution!.counter + 1 } })).toString('base64');
    expect(await guard.judge({ altcha: wrong })).toBe('needs-pow');
    expect(await guard.judge({ altcha: payload })).toBe('person');
    // A solution is good for one signup.
    expect(await guard.judge({ altcha: payload })).toBe('needs-pow');
    // And expires with its challenge.
    const late = await guard.fields();
    const lateChallenge = JSON.parse(late.pow!);
    const lateSolution = await solveChallenge({ challenge: lateChallenge, deriveKey });
    c.advance(21 * 60);
    expect(await guard.judge({ altcha: Buffer.from(JSON.stringify({ challenge: lateChallenge, solution: lateSolution })).toString('base64') })).toBe('needs-pow');
  });
});
