// DKIM over every message, signed twice (rsa-sha256 and ed25519-sha256, RFC 8463) and checked with two
// independent verifiers, mailauth and dkimpy, against the public keys: both pass, and h= covers both RFC 8058
// unsubscribe headers, also with a long List-Unsubscribe that has to be folded.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dkimKeys } from '../helpers/dkim-keys.js';
import { startStack, waitForEdition, type Stack } from '../helpers/stack.js';

const keys = dkimKeys();
// A public URL long enough that List-Unsubscribe runs past 78 characters and is folded.
const PUBLIC_URL = `https://${'a-long-subdomain-for-folding.'.repeat(3)}papermail.test`;

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
      ...keys.env,
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
    const folder = mkdtempSync(join(tmpdir(), 'dkim-stack-'));
    for (const [i, mail] of mails.filter((x) => x.envelopeTo.includes(email)).entries()) {
      const kind = mail.parsed.subject;
      expect(await keys.mailauth(mail.raw), kind).toEqual([
        ['rsa-sha256', 'pass'],
        ['ed25519-sha256', 'pass'],
      ]);
      writeFileSync(join(folder, `${i}.eml`), mail.raw);
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
    expect(await keys.dkimpy(folder)).toMatchObject({ messages: 3, signatures: 6, passed: 6, failed: [], algorithms: { 'rsa-sha256': 3, 'ed25519-sha256': 3 } });
    const digest = mails.find((x) => /Trending papers/.test(x.parsed.subject ?? ''))!;
    expect(digest.parsed.headers.get('feedback-id')).toBe('daily:digest:papermail:example.org');
    expect(digest.raw.toString("utf8")).toMatch(/^List-Unsubscribe:\r\n <https:\/\//m);
  });

  it('fails verification for a message changed after signing', async () => {
    const digest = stack.sink.messages.find((x) => /Trending papers/.test(x.parsed.subject ?? ''))!;
    const tampered = Buffer.from(digest.raw.toString('utf8').replace(/List-Unsubscribe-Post: List-Unsubscribe=One-Click/, 'List-Unsubscribe-Post: nothing'));
    expect(await keys.mailauth(tampered)).toEqual([
      ['rsa-sha256', 'fail'],
      ['ed25519-sha256', 'fail'],
    ]);
  });
});
