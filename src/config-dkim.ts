import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type Env } from './config-env.js';

/** How outgoing mail is signed (RFC 6376): the signing domain (d=), the selector (s=) and the private key. */
export interface DkimConfig {
  readonly domainName: string;
  readonly keySelector: string;
  readonly privateKey: string;
}

/** DKIM settings: all of domain, selector and key (inline PEM, "\n" allowed, or a file), or none. */
export function dkimOf(e: Env): DkimConfig | null {
  const given = [e.DKIM_DOMAIN, e.DKIM_SELECTOR, e.DKIM_PRIVATE_KEY ?? e.DKIM_PRIVATE_KEY_FILE].filter(Boolean).length;
  if (given === 0) return null;
  if (given < 3) throw new ConfigError('Invalid configuration:\n  DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE): set all three, or none');
  let pem: string;
  try {
    pem = e.DKIM_PRIVATE_KEY ? e.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n') : readFileSync(e.DKIM_PRIVATE_KEY_FILE!, 'utf8');
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  DKIM_PRIVATE_KEY_FILE: cannot read it (${(err as Error).message})`);
  }
  try {
    if (createPrivateKey(pem).asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${e.DKIM_PRIVATE_KEY ? 'DKIM_PRIVATE_KEY' : 'DKIM_PRIVATE_KEY_FILE'}: must be an RSA private key in PEM (${(err as Error).message})`);
  }
  return Object.freeze({ domainName: e.DKIM_DOMAIN!.toLowerCase(), keySelector: e.DKIM_SELECTOR!, privateKey: pem });
}
