import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { envSchema } from '../../src/config-env.js';

describe('loadConfig', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      databaseUrl: null,
      redisUrl: null,
      smtpUrl: null,
      production: false,
      dataDir: './data',
      digest: { cron: { daily: '0 8 * * *', weekly: '0 8 * * 1' }, tz: 'UTC', size: 10 },
      signup: { perMinute: 5, perHour: 30, mailboxPerDay: 3, confirmsPerHour: 500, minFillSeconds: 2, proofOfWork: false },
    });
    expect(loadConfig({ SIGNUP_PROOF_OF_WORK: 'true', SIGNUP_MIN_FILL_SECONDS: '0' }).signup).toMatchObject({ proofOfWork: true, minFillSeconds: 0 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads TRUST_PROXY as off, on, a hop count or proxy addresses, and refuses anything else by name', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1,::1' }).trustProxy).toBe('10.0.0.0/8,127.0.0.1,::1');
    for (const bad of ['yes', '10.0.0.0/33', '300.1.1.1', 'proxy.example.org'])
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
  });

  it('listens on loopback and serves the dev inbox only there, unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ host: '127.0.0.1', devInbox: true });
    expect(loadConfig({ HOST: '0.0.0.0' })).toMatchObject({ host: '0.0.0.0', devInbox: false });
    expect(loadConfig({ HOST: '0.0.0.0', DEV_INBOX: 'true' })).toMatchObject({ devInbox: true });
    expect(loadConfig({ HOST: '127.0.0.1', DEV_INBOX: 'false' })).toMatchObject({ devInbox: false });
    // With real SMTP there is no catcher, so no inbox, whatever DEV_INBOX says.
    expect(loadConfig({ SMTP_URL: 'smtp://mail.example.org', DEV_INBOX: 'true' })).toMatchObject({ devInbox: false });
    const prod = { DATABASE_URL: 'postgres://x/y', REDIS_URL: 'redis://x', SMTP_URL: 'smtp://x', SECRET: 's'.repeat(32), ADMIN_TOKEN: 't'.repeat(16) };
    expect(loadConfig(prod)).toMatchObject({ host: '0.0.0.0', devInbox: false });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PUBLIC_URL', 'ftp://example.org'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['SMTP_URL', 'localhost:25'],
    ['DIGEST_CRON_DAILY', 'every morning'],
    ['DIGEST_CRON_WEEKLY', '0 8 * *'],
    ['DIGEST_TZ', 'Mars/Olympus_Mons'],
    ['DIGEST_SIZE', '0'],
    ['DIGEST_SIZE', 'ten'],
    ['MAIL_FROM', 'no address here'],
    ['SECRET', 'short'],
    ['ADMIN_TOKEN', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['SIGNUP_LIMIT_PER_MINUTE', '0'],
    ['SIGNUP_LIMIT_PER_HOUR', 'many'],
    ['SIGNUP_MAILBOX_PER_DAY', '-1'],
    ['CONFIRM_MAILS_PER_HOUR', '1.5'],
    ['SIGNUP_PROOF_OF_WORK', 'maybe'],
    ['ACCENT_COLOR', 'blue'],
    ['LOGO_URL', 'http://example.org/logo.png'],
    ['NEWSLETTER_NAME', 'Two\nlines'],
    ['POSTAL_ADDRESS', 'a\r\nb'],
  ])('stops on a bad %s (%s) and names it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });

  it('takes DKIM as all three settings or none, and refuses a key that is not an RSA private key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(loadConfig({}).dkim).toBeNull();
    expect(loadConfig({ DKIM_DOMAIN: 'Example.org', DKIM_SELECTOR: 'pm', DKIM_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }).dkim).toMatchObject({ domainName: 'example.org', keySelector: 'pm', privateKey: pem });
    const file = join(mkdtempSync(join(tmpdir(), 'dkim-')), 'key.pem');
    writeFileSync(file, pem);
    expect(loadConfig({ DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'pm', DKIM_PRIVATE_KEY_FILE: file }).dkim?.privateKey).toBe(pem);
    expect(() => loadConfig({ DKIM_DOMAIN: 'example.org' })).toThrow(/set all three, or none/);
    expect(() => loadConfig({ DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'pm', DKIM_PRIVATE_KEY: 'not a key' })).toThrow(/DKIM_PRIVATE_KEY: must be an RSA private key/);
    expect(() => loadConfig({ DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'pm', DKIM_PRIVATE_KEY_FILE: '/nonexistent/key.pem' })).toThrow(/DKIM_PRIVATE_KEY_FILE: cannot read it/);
    expect(() => loadConfig({ WEBHOOK_SECRET: 'short' })).toThrow(/WEBHOOK_SECRET/);
  });

  it('adds an Ed25519 key beside the RSA one, and a next RSA key with the date it signs from', () => {
    const pem = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
    const rsa = pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
    const next = pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
    const ed = pem(generateKeyPairSync('ed25519').privateKey);
    const base = { DKIM_DOMAIN: 'example.org', DKIM_SELECTOR: 'pm', DKIM_PRIVATE_KEY: rsa };
    const dual = { ...base, DKIM_ED25519_SELECTOR: 'pme', DKIM_ED25519_PRIVATE_KEY: ed };
    expect(loadConfig(dual).dkim).toMatchObject({ keySelector: 'pm', ed25519: { keySelector: 'pme', privateKey: ed }, next: null });
    expect(loadConfig({ ...dual, DKIM_SELECTOR_NEXT: 'pm2', DKIM_PRIVATE_KEY_NEXT: next, DKIM_NEXT_FROM: '2027-03-01' }).dkim?.next).toEqual({ keySelector: 'pm2', privateKey: next, from: new Date('2027-03-01T00:00:00Z') });
    // Ed25519 alone, for measuring: no RSA key.
    expect(loadConfig({ DKIM_DOMAIN: 'example.org', DKIM_ED25519_SELECTOR: 'pme', DKIM_ED25519_PRIVATE_KEY: ed }).dkim).toMatchObject({ keySelector: null, privateKey: null, ed25519: { keySelector: 'pme' } });
    expect(() => loadConfig({ ...base, DKIM_ED25519_SELECTOR: 'pme' })).toThrow(/DKIM_ED25519_SELECTOR and DKIM_ED25519_PRIVATE_KEY/);
    expect(() => loadConfig({ ...base, DKIM_ED25519_SELECTOR: 'pme', DKIM_ED25519_PRIVATE_KEY: rsa })).toThrow(/DKIM_ED25519_PRIVATE_KEY: must be an Ed25519 private key/);
    expect(() => loadConfig({ ...base, DKIM_ED25519_SELECTOR: 'pm', DKIM_ED25519_PRIVATE_KEY: ed })).toThrow(/a selector of its own/);
    expect(() => loadConfig({ ...base, DKIM_SELECTOR_NEXT: 'pm2', DKIM_PRIVATE_KEY_NEXT: next })).toThrow(/DKIM_NEXT_FROM: set all three, or none/);
    expect(() => loadConfig({ ...base, DKIM_SELECTOR_NEXT: 'pm2', DKIM_PRIVATE_KEY_NEXT: next, DKIM_NEXT_FROM: 'soon' })).toThrow(/DKIM_NEXT_FROM/);
    expect(() => loadConfig({ ...base, DKIM_PRIVATE_KEY: ed })).toThrow(/DKIM_PRIVATE_KEY: must be an RSA private key/);
  });

  it('reads the brand, with a DNS label for list ids', () => {
    expect(loadConfig({}).brand).toMatchObject({ name: 'papermail', slug: 'papermail', accent: '#0b57d0', logoUrl: null });
    expect(loadConfig({ NEWSLETTER_NAME: ' Papers Weekly ', ACCENT_COLOR: '#AA3355' }).brand).toMatchObject({ name: 'Papers Weekly', slug: 'papers-weekly', accent: '#aa3355' });
    expect(loadConfig({ NEWSLETTER_NAME: 'Ärzte-Blatt: KI' }).brand.slug).toBe('arzte-blatt-ki');
  });

  it('requires SECRET and ADMIN_TOKEN in production mode', () => {
    const prod = { DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r:6379', SMTP_URL: 'smtp://mail:25' };
    expect(() => loadConfig(prod)).toThrow(/SECRET: required in production mode[\s\S]*ADMIN_TOKEN: required/);
    const c = loadConfig({ ...prod, SECRET: 's'.repeat(32), ADMIN_TOKEN: 'a'.repeat(16) });
    expect(c.production).toBe(true);
  });

  it('accepts a time zone and strips a trailing slash from PUBLIC_URL', () => {
    const c = loadConfig({ DIGEST_TZ: 'Europe/Berlin', PUBLIC_URL: 'https://papers.example.org/' });
    expect(c.digest.tz).toBe('Europe/Berlin');
    expect(c.publicUrl).toBe('https://papers.example.org');
  });
  it('hash-tags the queue prefix on a Redis Cluster, and refuses one that is not', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:7000', REDIS_CLUSTER: 'true' })).toMatchObject({ redisCluster: true, queuePrefix: '{papermail}' });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:7000' })).toMatchObject({ redisCluster: false, queuePrefix: 'papermail' });
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:7000', REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'mine' })).toThrow(/QUEUE_PREFIX: with REDIS_CLUSTER it must be a hash tag, e.g. \{mine\}/);
    expect(() => loadConfig({ REDIS_CLUSTER: 'true' })).toThrow(/REDIS_CLUSTER: needs REDIS_URL/);
  });
});

describe('the default sender', () => {
  it('carries the newsletter name, at a placeholder domain of its own, when MAIL_FROM is unset', () => {
    expect(loadConfig({}).mailFrom).toBe('papermail <digest@papermail.localhost>');
    expect(loadConfig({ NEWSLETTER_NAME: 'Papers Weekly' }).mailFrom).toBe('Papers Weekly <digest@papers-weekly.localhost>');
    expect(loadConfig({ NEWSLETTER_NAME: 'A.I. "Weekly"' }).mailFrom).toMatch(/^"A\.I\. \\"Weekly\\"" <digest@[a-z0-9.-]+\.localhost>$/);
    expect(loadConfig({ NEWSLETTER_NAME: 'Papers Weekly', MAIL_FROM: 'Lab <news@lab.example>' }).mailFrom).toBe('Lab <news@lab.example>');
  });
});

describe('defaults that follow each other', () => {
  it('points links at PORT (and at HOST when it names one interface) while PUBLIC_URL is unset', () => {
    expect(loadConfig({ PORT: '4101' }).publicUrl).toBe('http://localhost:4101');
    expect(loadConfig({ PORT: '4101', HOST: '0.0.0.0' }).publicUrl).toBe('http://localhost:4101');
    expect(loadConfig({ PORT: '4101', HOST: '192.168.1.20' }).publicUrl).toBe('http://192.168.1.20:4101');
    expect(loadConfig({ PORT: '4101', HOST: 'fd00::20' }).publicUrl).toBe('http://[fd00::20]:4101');
    expect(loadConfig({ PORT: '4101', PUBLIC_URL: 'https://papers.example.org' }).publicUrl).toBe('https://papers.example.org');
  });

  it('sends as NEWSLETTER_NAME while MAIL_FROM is unset', () => {
    expect(loadConfig({ NEWSLETTER_NAME: 'Paper Radar' }).mailFrom).toBe('Paper Radar <digest@paper-radar.localhost>');
  });

  it('.env.example lists every variable, commented out with its default: copying it changes nothing', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    expect(text.split('\n').filter((l) => l.trim() && !l.startsWith('#'))).toEqual([]);
    const listed = new Map([...text.matchAll(/^# ([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    const variables = Object.keys(envSchema.shape).filter((k) => k !== 'NODE_ENV');
    expect(variables.filter((k) => !listed.has(k))).toEqual([]);
    // Where a variable has a default, the example shows that default (commented values of unset variables are examples).
    const defaults = envSchema.parse({});
    for (const [k, v] of listed) {
      const d = (defaults as Record<string, unknown>)[k];
      if (d !== undefined && typeof d !== 'boolean') expect(v, k).toBe(String(d));
    }
  });
});
