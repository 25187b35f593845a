import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type Env } from './config-env.js';

/** One more key beside the RSA one: its selector (s=) and private key in PEM. */
interface DkimKey {
  readonly keySelector: string;
  readonly privateKey: string;
}

/**
 * How outgoing mail is signed (RFC 6376): the signing domain (d=), the RSA key's selector (s=) and private
 * key; an Ed25519 key signing beside it (RFC 8463); and the RSA key that takes over from a date (rotation).
 * Ed25519 alone (no RSA key) is allowed, for measuring; most receivers check only RSA.
 */
export interface DkimConfig {
  readonly domainName: string;
  readonly keySelector: string | null;
  readonly privateKey: string | null;
  readonly ed25519: DkimKey | null;
  readonly next: (DkimKey & { readonly from: Date }) | null;
}

const invalid = (line: string) => new ConfigError(`Invalid configuration:\n  ${line}`);

/** A key given inline (PEM, "\n" allowed) as NAME or in a file as NAME_FILE, checked to be of `type`; null when neither is set. */
function keyOf(e: Env, name: 'DKIM_PRIVATE_KEY' | 'DKIM_ED25519_PRIVATE_KEY' | 'DKIM_PRIVATE_KEY_NEXT', type: 'rsa' | 'ed25519'): string | null {
  const inline = e[name];
  const file = e[`${name}_FILE`];
  if (!inline && !file) return null;
  let pem: string;
  try {
    pem = inline ? inline.replace(/\\n/g, '\n') : readFileSync(file!, 'utf8');
  } catch (err) {
    throw invalid(`${name}_FILE: cannot read it (${(err as Error).message})`);
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== type) throw new Error(`not an ${type === 'rsa' ? 'RSA' : 'Ed25519'} key`);
    if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) throw new Error('shorter than 1024 bits (RFC 8301)');
  } catch (err) {
    throw invalid(`${inline ? name : `${name}_FILE`}: must be an ${type === 'rsa' ? 'RSA' : 'Ed25519'} private key in PEM (${(err as Error).message})`);
  }
  return pem;
}

/**
 * DKIM settings: all of domain, selector and key (inline PEM, "\n" allowed, or a file), or none; then,
 * optionally, an Ed25519 selector and key (both), and a next RSA selector, key and the date it signs from (all three).
 */
export function dkimOf(e: Env): DkimConfig | null {
  const privateKey = keyOf(e, 'DKIM_PRIVATE_KEY', 'rsa');
  const rsaGiven = [e.DKIM_SELECTOR, privateKey].filter(Boolean).length;
  const edKey = keyOf(e, 'DKIM_ED25519_PRIVATE_KEY', 'ed25519');
  const extras = [e.DKIM_ED25519_SELECTOR, edKey, e.DKIM_SELECTOR_NEXT, e.DKIM_PRIVATE_KEY_NEXT, e.DKIM_PRIVATE_KEY_NEXT_FILE, e.DKIM_NEXT_FROM];
  if (!e.DKIM_DOMAIN && rsaGiven === 0 && !extras.some(Boolean)) return null;
  if (!edKey !== !e.DKIM_ED25519_SELECTOR) throw invalid('DKIM_ED25519_SELECTOR and DKIM_ED25519_PRIVATE_KEY (or DKIM_ED25519_PRIVATE_KEY_FILE): set both, or neither');
  if (!e.DKIM_DOMAIN || rsaGiven === 1 || (rsaGiven === 0 && !edKey))
    throw invalid('DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE): set all three, or none (DKIM_DOMAIN with DKIM_ED25519_* alone signs with Ed25519 only)');
  const nextKey = keyOf(e, 'DKIM_PRIVATE_KEY_NEXT', 'rsa');
  const nextGiven = [e.DKIM_SELECTOR_NEXT, nextKey, e.DKIM_NEXT_FROM].filter(Boolean).length;
  if (nextGiven > 0 && nextGiven < 3) throw invalid('DKIM_SELECTOR_NEXT, DKIM_PRIVATE_KEY_NEXT (or DKIM_PRIVATE_KEY_NEXT_FILE) and DKIM_NEXT_FROM: set all three, or none');
  if (nextGiven && !privateKey) throw invalid('DKIM_SELECTOR_NEXT: rotates the RSA key (DKIM_SELECTOR, DKIM_PRIVATE_KEY), which is not set');
  const selectors = [e.DKIM_SELECTOR, e.DKIM_ED25519_SELECTOR, e.DKIM_SELECTOR_NEXT].filter(Boolean);
  if (new Set(selectors).size !== selectors.length) throw invalid('DKIM_SELECTOR, DKIM_ED25519_SELECTOR and DKIM_SELECTOR_NEXT: each key needs a selector of its own');
  return Object.freeze({
    domainName: e.DKIM_DOMAIN!.toLowerCase(),
    keySelector: e.DKIM_SELECTOR ?? null,
    privateKey,
    ed25519: edKey ? Object.freeze({ keySelector: e.DKIM_ED25519_SELECTOR!, privateKey: edKey }) : null,
    next: nextKey ? Object.freeze({ keySelector: e.DKIM_SELECTOR_NEXT!, privateKey: nextKey, from: e.DKIM_NEXT_FROM! }) : null,
  });
}
