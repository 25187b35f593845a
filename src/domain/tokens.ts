import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

/** Seconds a confirmation link stays valid. */
export const CONFIRM_TTL_SECONDS = 7 * 24 * 3600;
/** Seconds a link to a reader's data (download, erase) stays valid. */
export const DATA_LINK_TTL_SECONDS = 3600;

/** What a link may do; each purpose signs differently, so an unsubscribe token cannot confirm. */
export type TokenPurpose = 'confirm' | 'unsubscribe' | 'preferences' | 'data' | 'form' | 'feedback' | 'reading-list';

interface TokenPayload {
  subscriberId: number;
  purpose: TokenPurpose;
  /** Seconds since the epoch when the token was issued. */
  issuedAt: number;
}

export interface Tokens {
  sign(subscriberId: number, purpose: TokenPurpose, issuedAt?: number, scope?: string): string;
  /** The reader a well-formed token names, before anything is verified (to find what it must be scoped to); null when malformed. */
  readerOf(token: string): number | null;
  /**
   * Returns the payload when the token is authentic, of this purpose (and scope: the paper of a feedback
   * link) and younger than maxAgeSeconds.
   */
  verify(token: string, purpose: TokenPurpose, maxAgeSeconds?: number, scope?: string): TokenPayload | null;
}

const FORMAT = /^([1-9][0-9]{0,15})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;

/**
 * Link tokens: `id.issuedAt.mac`, where mac is 128 bits of HMAC-SHA256(secret, purpose|id|issuedAt), with
 * `|scope` appended when the link is about one thing (a feedback link's paper). Stateless, so a million
 * links cost nothing to store, and unguessable without SECRET.
 */
export function createTokens(secret: string, now: () => number = Date.now): Tokens {
  // The key made once (the same bytes as the secret's UTF-8): a digest signs a dozen links per reader.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const mac = (id: number, purpose: TokenPurpose, issuedAt: number, scope?: string) =>
    createHmac('sha256', key)
      .update(scope === undefined ? `${purpose}|${id}|${issuedAt}` : `${purpose}|${id}|${issuedAt}|${scope}`)
      .digest()
      .subarray(0, 16);
  return {
    readerOf(token) {
      const m = FORMAT.exec(token);
      return m && Number.isSafeInteger(Number(m[1])) ? Number(m[1]) : null;
    },
    sign(subscriberId, purpose, issuedAt = Math.floor(now() / 1000), scope) {
      return `${subscriberId}.${issuedAt.toString(36)}.${mac(subscriberId, purpose, issuedAt, scope).toString('base64url')}`;
    },
    verify(token, purpose, maxAgeSeconds, scope) {
      const m = FORMAT.exec(token);
      if (!m) return null;
      const subscriberId = Number(m[1]);
      const issuedAt = parseInt(m[2]!, 36);
      if (!Number.isSafeInteger(subscriberId) || !Number.isSafeInteger(issuedAt)) return null;
      const given = Buffer.from(m[3]!, 'base64url');
      // Only the canonical spelling counts: the last base64 character carries spare bits.
      if (given.length !== 16 || given.toString('base64url') !== m[3] || !timingSafeEqual(given, mac(subscriberId, purpose, issuedAt, scope))) return null;
      const age = Math.floor(now() / 1000) - issuedAt;
      // Dated ahead of our clock (beyond five minutes of skew): not a link we issued.
      if (age < -300 || (maxAgeSeconds !== undefined && age > maxAgeSeconds)) return null;
      return { subscriberId, purpose, issuedAt };
    },
  };
}

/**
 * The scope of a confirmation link: the signup it confirms (its consent time, to the millisecond). A link
 * mailed for an earlier signup of the same reader confirms nothing.
 */
export const signupScope = (consentAt: Date | null) => `signup@${consentAt ? consentAt.getTime() : 'none'}`;

/** Compares two secrets in constant time, whatever their lengths. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'papermail-compare').update(a).digest();
  const hb = createHmac('sha256', 'papermail-compare').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** A keyed hash of an address (lower-cased): lets a suppression outlive the address itself. */
export function emailHash(secret: string, email: string): string {
  return `hmac:${createHmac('sha256', secret).update(`email|${email.trim().toLowerCase()}`).digest('hex')}`;
}
