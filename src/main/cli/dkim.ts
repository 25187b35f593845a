// npm run dkim [-- --new DIR] [--selector NAME]
// Prints the DNS TXT records to publish for the configured DKIM keys (DKIM_*: the RSA key, the Ed25519 key
// beside it, the next RSA key of a rotation), as zone file lines. With --new DIR it makes a fresh RSA-2048
// key and an Ed25519 key in DIR (mode 0600) instead, and prints their records and the settings that use them.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { senderDomain } from '../../mail/addresses.js';
import { dkimRecords, zoneLine } from '../../mail/dkim.js';
import { run } from '../run.js';
import { cliArgs, exitWith } from './args.js';

const USAGE = 'usage: npm run dkim [-- --new DIR] [--selector NAME]';

await run(async (config) => {
  const args = cliArgs({ new: { type: 'string' }, selector: { type: 'string' } } as const, USAGE);
  if (args.new) {
    const dir = resolve(args.new);
    const selector = args.selector ?? `pm${new Date().getUTCFullYear()}${String(new Date().getUTCMonth() + 1).padStart(2, '0')}`;
    if (!/^[A-Za-z0-9._-]{1,60}$/.test(selector)) exitWith(`--selector: must be a selector such as pm202701\n${USAGE}`);
    const files = { rsa: join(dir, `${selector}.rsa.pem`), ed25519: join(dir, `${selector}.ed25519.pem`) };
    if (Object.values(files).some((f) => existsSync(f))) exitWith(`${dir} already holds keys for ${selector}: choose another --selector`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pem = (type: 'rsa' | 'ed25519') => (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519')).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keys = { rsa: pem('rsa'), ed25519: pem('ed25519') };
    writeFileSync(files.rsa, keys.rsa, { mode: 0o600 });
    writeFileSync(files.ed25519, keys.ed25519, { mode: 0o600 });
    const domain = config.dkim?.domainName ?? senderDomain(config.mailFrom);
    const records = dkimRecords({ domainName: domain, keySelector: selector, privateKey: keys.rsa, ed25519: { keySelector: `${selector}e`, privateKey: keys.ed25519 }, next: null });
    console.log(`Made ${files.rsa} and ${files.ed25519}.\n\nPublish these TXT records:\n${records.map(zoneLine).join('\n')}`);
    console.log(
      config.dkim
        ? `\nThen rotate to them (the new key signs from the date you choose; keep the old record published a week longer):\n  DKIM_SELECTOR_NEXT=${selector}\n  DKIM_PRIVATE_KEY_NEXT_FILE=${files.rsa}\n  DKIM_NEXT_FROM=<a date after the records are published>`
        : `\nThen sign with them:\n  DKIM_DOMAIN=${domain}\n  DKIM_SELECTOR=${selector}\n  DKIM_PRIVATE_KEY_FILE=${files.rsa}\n  DKIM_ED25519_SELECTOR=${selector}e\n  DKIM_ED25519_PRIVATE_KEY_FILE=${files.ed25519}`,
    );
    return;
  }
  if (!config.dkim) exitWith('DKIM is not configured (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY): nothing to publish. npm run dkim -- --new DIR makes keys.');
  for (const r of dkimRecords(config.dkim)) {
    console.log(`; ${r.setting}${r.from ? `, signs from ${r.from.toISOString()}: publish before then` : ''}`);
    console.log(zoneLine(r));
  }
});
