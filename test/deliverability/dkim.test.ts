// DKIM over every message, checked with mailauth against the public key: dkim=pass, and h= covering both
// RFC 8058 unsubscribe headers, also with a long List-Unsubscribe that has to be folded.
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitForEdition, type Stack } from '../helpers/stack.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const TXT = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
// A public URL long enough that List-Unsubscribe runs past 78 characters and is folded.
const PUBLIC_URL = `https://${'a-long-subdomain-for-folding.'.repeat(3)}papermail.test`;

/** mailauth's verification, with the selector's TXT record served from here instead of DNS. */
const verify = (raw: Buffer) =>
  dkimVerify(raw, {
    resolver: async (name: string, type: string) => {
      if (type === 'TXT' && name === 'pm2026._domainkey.example.org') return [[TXT]];
      throw Object.assign(new Error(`no record for ${name}`), { code: 'ENOTFOUND' });
    },
  });

/** The h= list of the DKIM-Signature, unfolded and lower-cased. */
const signedHeaders = (raw: Buffer) => {
  const head = raw.toString('utf8').split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
  const sig = /^DKIM-Signature:(.*)$/im.exec(head)?.[1] ?? '';
  return (/\bh=([^;]+)/.exec(sig)?.[1] ?? '').replace(/\s+/g, '').toLowerCase().split(':');
};

describe('DKIM', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('postgres', {
      PUBLIC_URL,
      MAIL_FROM: 'papermail <digest@example.org>',
      DKIM_DOMAIN: 'example.org',
      DKIM_SELECTOR: 'pm2026',
      DKIM_PRIVATE_KEY: PEM,
    });
  });
  afterAll(async () => stack?.close());

  it('signs the confirmation, welcome and digest so that they verify, covering both unsubscribe headers', async () => {
    const email = 'signed@example.net';
    expect((await stack.http('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) })).status).toBe(202);
    const confirm = (await stack.sink.waitFor((m) => m.some((x) => x.envelopeTo.includes(email)))).find((x) => x.envelopeTo.includes(email))!;
    const link = new RegExp(`${PUBLIC_URL.replace(/[.]/g, '\\.')}(/confirm/\\S+)`).exec(confirm.parsed.text ?? '')![1]!;
    expect((await stack.http(link, { method: 'POST' })).status).toBe(200);
    const res = await stack.admin('/editions', { frequency: 'daily' });
    await waitForEdition(stack, ((await res.json()) as { id: number }).id);
    const mails = await stack.sink.waitFor((m) => m.filter((x) => x.envelopeTo.includes(email)).length >= 3);
    let signedWithUnsubscribe = 0;
    for (const mail of mails.filter((x) => x.envelopeTo.includes(email))) {
      const result = await verify(mail.raw);
      const kind = mail.parsed.subject;
      expect(result.results, kind).toHaveLength(1);
      expect(result.results[0]!.status.result, `${kind}: ${JSON.stringify(result.results[0]!.status)}`).toBe('pass');
      expect(result.results[0]!.signingDomain).toBe('example.org');
      const h = signedHeaders(mail.raw);
      expect(h).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'date', 'message-id']));
      const unfolded = mail.raw.toString('utf8').split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
      const listUnsubscribe = /^List-Unsubscribe: (.*)$/m.exec(unfolded)?.[1];
      if (!/Confirm/.test(kind ?? '')) {
        expect(listUnsubscribe, kind).toBeDefined();
        expect(h, kind).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'feedback-id']));
        // Longer than a line should be: folded in the message, and still verifying.
        expect(`List-Unsubscribe: ${listUnsubscribe}`.length).toBeGreaterThan(78);
        signedWithUnsubscribe++;
      }
    }
    expect(signedWithUnsubscribe).toBe(2);
    const digest = mails.find((x) => /Trending papers/.test(x.parsed.subject ?? ''))!;
    expect(digest.parsed.headers.get('feedback-id')).toBe('daily:digest:papermail:example.org');
    expect(digest.raw.toString("utf8")).toMatch(/^List-Unsubscribe:\r\n <https:\/\//m);
  });

  it('fails verification for a message changed after signing', async () => {
    const digest = stack.sink.messages.find((x) => /Trending papers/.test(x.parsed.subject ?? ''))!;
    const tampered = Buffer.from(digest.raw.toString('utf8').replace(/List-Unsubscribe-Post: List-Unsubscribe=One-Click/, 'List-Unsubscribe-Post: nothing'));
    expect((await verify(tampered)).results[0]!.status.result).toBe('fail');
  });
});
