// DKIM keys for tests: an RSA key, an Ed25519 key and a next RSA key for example.org, their TXT records
// (served to the verifiers instead of DNS), the settings that use them, and both independent verifiers:
// mailauth in Node and dkimpy (Debian's python3-dkim) in Python.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { DkimConfig } from '../../src/config-dkim.js';

const pem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaTxt = (k: KeyObject) => `v=DKIM1; k=rsa; p=${k.export({ type: 'spki', format: 'der' }).toString('base64')}`;
// RFC 8463 §4.2: p= is the bare 32-byte public key, not its SubjectPublicKeyInfo (whose first 12 bytes name the algorithm).
const edTxt = (k: KeyObject) => `v=DKIM1; k=ed25519; p=${k.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64')}`;

export function dkimKeys(domain = 'example.org') {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const next = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const records: Record<string, string> = {
    [`pm2026._domainkey.${domain}`]: rsaTxt(rsa.publicKey),
    [`pm2027._domainkey.${domain}`]: rsaTxt(next.publicKey),
    [`ed2026._domainkey.${domain}`]: edTxt(ed.publicKey),
  };
  const config = (more: Partial<DkimConfig> = {}): DkimConfig => ({ domainName: domain, keySelector: 'pm2026', privateKey: pem(rsa.privateKey), ed25519: null, next: null, ...more });
  return {
    records,
    config,
    ed25519: { keySelector: 'ed2026', privateKey: pem(ed.privateKey) },
    next: (from: Date) => ({ keySelector: 'pm2027', privateKey: pem(next.privateKey), from }),
    /** The settings (environment) for a dual-signing service. */
    env: {
      DKIM_DOMAIN: domain,
      DKIM_SELECTOR: 'pm2026',
      DKIM_PRIVATE_KEY: pem(rsa.privateKey),
      DKIM_ED25519_SELECTOR: 'ed2026',
      DKIM_ED25519_PRIVATE_KEY: pem(ed.privateKey),
    },
    /** mailauth's verdict on each signature: [algorithm, result] in the message's order. */
    async mailauth(raw: Buffer): Promise<[string, string][]> {
      const res = await dkimVerify(raw, {
        resolver: async (name: string, type: string) => {
          if (type === 'TXT' && records[name]) return [[records[name]]];
          throw Object.assign(new Error(`no record for ${name}`), { code: 'ENOTFOUND' });
        },
      });
      return res.results.map((r: { algo?: string; status: { result: string } }) => [r.algo ?? '?', r.status.result]);
    },
    /** dkimpy's verdict on every message of a folder (test/helpers/dkim_verify.py). */
    async dkimpy(folder: string): Promise<{ messages: number; signatures: number; passed: number; failed: string[]; algorithms: Record<string, number> }> {
      const file = join(mkdtempSync(join(tmpdir(), 'dkim-records-')), 'records.json');
      writeFileSync(file, JSON.stringify(records));
      const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(import.meta.dirname, 'dkim_verify.py'), file, folder], { maxBuffer: 64 << 20 });
      return JSON.parse(stdout);
    },
  };
}
