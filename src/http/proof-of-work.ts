import { CappedMap, createChallenge, verifySolution, type Challenge, type Solution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';

/** What the signup form needs from the optional proof-of-work (ALTCHA's protocol, solved in the browser). */
export interface ProofOfWork {
  /** A fresh signed challenge, as JSON for the form's `data-pow` attribute. */
  challenge(): Promise<string>;
  /** True when `payload` (the form's `altcha` field) solves a challenge we signed, unexpired and not used before. */
  verify(payload: unknown): Promise<boolean>;
}

// About 16,000 SHA-256 rounds on average: a second in a browser, a real cost for a bot sending thousands.
const PARAMETERS = { algorithm: 'SHA-256', cost: 4, keyPrefix: '000' };
const LIFETIME_SECONDS = 20 * 60;

/**
 * An ALTCHA-style proof-of-work with altcha-lib: no third-party service, the challenge signed with our
 * SECRET, each solution good for one signup (kept in a bounded map for its lifetime).
 */
export function createProofOfWork(secret: string, now: () => number = Date.now): ProofOfWork {
  const hmacSignatureSecret = `altcha|${secret}`;
  const used = new CappedMap<string, number>({ maxSize: 100_000 });
  return {
    async challenge() {
      const c = await createChallenge({ ...PARAMETERS, deriveKey, hmacSignatureSecret, expiresAt: Math.floor(now() / 1000) + LIFETIME_SECONDS });
      return JSON.stringify(c);
    },
    async verify(payload) {
      if (typeof payload !== 'string' || payload.length > 4096) return false;
      let decoded: { challenge?: Challenge; solution?: Solution };
      try {
        decoded = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as typeof decoded;
      } catch {
        return false;
      }
      const { challenge, solution } = decoded ?? {};
      if (!challenge?.parameters || typeof challenge.parameters !== 'object' || !solution || typeof solution !== 'object') return false;
      // Only our own difficulty counts: a signed challenge always has it, but check before spending work.
      if (challenge.parameters.algorithm !== PARAMETERS.algorithm || challenge.parameters.cost !== PARAMETERS.cost) return false;
      // altcha-lib checks expiry on the system clock; ours may be injected, so check it here too.
      if (typeof challenge.parameters.expiresAt !== 'number' || challenge.parameters.expiresAt < now() / 1000) return false;
      try {
        const result = await verifySolution({ challenge, solution, deriveKey, hmacSignatureSecret });
        return result.verified && used.setIfAbsent(challenge.signature!, now());
      } catch {
        return false;
      }
    },
  };
}
