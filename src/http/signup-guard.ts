import type { Tokens } from '../domain/tokens.js';
import { createProofOfWork } from './proof-of-work.js';

/** What the signup form carries for the guard: rendered into every copy of the form. */
export interface FormGuard {
  /** A signed stamp of when the form was shown (the `form_ts` field). */
  stamp: string;
  minFillSeconds: number;
  /** The proof-of-work challenge (JSON), when it is on. */
  pow: string | null;
}

/**
 * person: nothing says bot. bot: the honeypot is filled, the stamp is forged, or the form came back faster
 * than a person fills it; the answer is the neutral one and no mail leaves. stale: an authentic stamp older
 * than a day (show the form again). needs-pow: proof-of-work is on and the answer is missing or wrong.
 */
type Verdict = 'person' | 'bot' | 'stale' | 'needs-pow';

export interface SignupGuard {
  fields(): Promise<FormGuard>;
  judge(body: Record<string, unknown>): Promise<Verdict>;
}

/** The hidden field people never see: a bot that fills every input fills this one too. */
export const HONEYPOT = 'website';
const FORM_ID = 1;
const STAMP_MAX_AGE = 24 * 3600;

/**
 * A honeypot, a minimum fill time and an optional proof-of-work. A request that carries none of the
 * form's fields (a JSON client, a plain form post) is judged by the rate limits alone, unless
 * proof-of-work is on, which everyone must pass.
 */
export function createSignupGuard(opts: { tokens: Tokens; secret: string; minFillSeconds: number; proofOfWork: boolean; now?: () => number }): SignupGuard {
  const now = opts.now ?? Date.now;
  const pow = opts.proofOfWork ? createProofOfWork(opts.secret, now) : null;
  return {
    async fields() {
      return { stamp: opts.tokens.sign(FORM_ID, 'form'), minFillSeconds: opts.minFillSeconds, pow: pow ? await pow.challenge() : null };
    },
    async judge(body) {
      const trap = body[HONEYPOT];
      if (trap !== undefined && trap !== '') return 'bot';
      const stamp = body.form_ts;
      if (stamp !== undefined) {
        const issued = typeof stamp === 'string' ? opts.tokens.verify(stamp, 'form') : null;
        if (!issued || issued.subscriberId !== FORM_ID) return 'bot';
        const age = now() / 1000 - issued.issuedAt;
        if (age < opts.minFillSeconds) return 'bot';
        if (age > STAMP_MAX_AGE) return 'stale';
      }
      if (pow && !(await pow.verify(body.altcha))) return 'needs-pow';
      return 'person';
    },
  };
}
