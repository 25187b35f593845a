// Bounces and complaints after the SMTP answer: the webhook (papermail's own shape, Amazon SES through SNS
// with its handshake, Postmark), and DSN and ARF reports imported from an mbox by `npm run bounces`. Each
// stops all further mail to its address, shows in the suppression list with its source, and can be lifted.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSns, SNS_HOST, type FakeSns } from '../helpers/sns.js';
import { ADMIN_TOKEN, startStack, subscribeAndConfirm, waitForEdition, type Stack } from '../helpers/stack.js';

const SECRET = 'webhook-secret-0123456789';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:bounces';
const READERS = ['forged@example.net', 'hard@example.net', 'ses@example.net', 'postmark@example.net', 'soft@example.net', 'gone@example.net', 'blocked@example.net', 'slow@example.net', 'annoyed@example.net', 'fine@example.net', 'folder@example.net'];
let stack: Stack;
let sns: FakeSns;

const hook = (body: unknown, headers: Record<string, string> = { 'x-webhook-secret': SECRET, 'content-type': 'application/json' }) =>
  stack.http('/api/webhooks/bounces', { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const basic = (password: string) => `Basic ${Buffer.from(`sns:${password}`).toString('base64')}`;
const status = async (email: string) =>
  (await stack.served.runtime.database.pool.query(`select status from subscribers where email = $1`, [email])).rows[0]?.status as string | undefined;

beforeAll(async () => {
  sns = await startFakeSns();
  stack = await startStack('postgres', { WEBHOOK_SECRET: SECRET, SOFT_BOUNCE_LIMIT: '3', SNS_TOPIC_ARNS: TOPIC }, { snsAgent: sns.agent });
  for (const r of READERS) await subscribeAndConfirm(stack, r);
});
afterAll(async () => {
  await stack?.close();
  await sns?.close();
});
const snsPost = (message: Record<string, string>) => hook(JSON.stringify(message), { authorization: basic(SECRET), 'content-type': 'text/plain; charset=UTF-8' });
const complaint = (email: string) => JSON.stringify({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: email }], complaintFeedbackType: 'abuse' }, mail: { source: 'digest@example.org' } });

describe('the bounce webhook', () => {
  it('refuses a request without the secret, and a body it cannot read', async () => {
    expect((await hook({ email: 'hard@example.net', type: 'hard' }, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await hook({ email: 'hard@example.net', type: 'hard' }, { 'x-webhook-secret': 'wrong-wrong-wrong', 'content-type': 'application/json' })).status).toBe(401);
    for (const bad of [{ email: 'not an address', type: 'hard' }, { email: 'hard@example.net', type: 'bouncy' }, { hello: 'world' }, []]) {
      const res = await hook(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect(await status('hard@example.net')).toBe('active');
  });

  it('suppresses on a hard bounce in its own shape, with basic auth as SNS and Postmark send it', async () => {
    const res = await hook({ email: 'Hard@Example.net', type: 'hard', reason: '550 5.1.1 no such user' }, { authorization: basic(SECRET), 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ recorded: 1, outcomes: [{ email: 'hard@example.net', outcome: 'suppressed' }] });
    expect(await status('hard@example.net')).toBe('suppressed');
  });

  it('checks the secret before it reads the body', async () => {
    const res = await hook('{ this is not json', { 'content-type': 'text/plain' });
    expect(res.status).toBe(401);
  });

  it("confirms a signed SNS subscription at its SubscribeURL, only on Amazon SNS's host", async () => {
    const confirm = (url: string) => snsPost(sns.sign({ Type: 'SubscriptionConfirmation', SubscribeURL: url, Token: 't', TopicArn: TOPIC, Message: 'You have chosen to subscribe' }));
    const ok = await confirm(`https://${SNS_HOST}/?Action=ConfirmSubscription&Token=t`);
    expect(ok.status).toBe(200);
    expect(sns.hits.filter((h) => h.startsWith('/?Action'))).toEqual(['/?Action=ConfirmSubscription&Token=t']);
    for (const elsewhere of ['https://evil.example.org/?Action=ConfirmSubscription', `http://${SNS_HOST}/?Action=ConfirmSubscription`, 'https://my-bucket.s3.amazonaws.com/?Action=ConfirmSubscription'])
      expect((await confirm(elsewhere)).status, elsewhere).toBe(400);
    expect(sns.hits.filter((h) => h.startsWith('/?Action'))).toHaveLength(1);
  });

  it('suppresses on an SES complaint delivered by SNS as text/plain, signed with SignatureVersion 1 or 2', async () => {
    for (const [email, version] of [['ses@example.net', '2'], ['hard2@example.net', '1']] as const) {
      if (email === 'hard2@example.net') await subscribeAndConfirm(stack, email);
      const res = await snsPost(sns.sign({ Type: 'Notification', TopicArn: TOPIC, Message: complaint(email) }, version));
      expect(res.status, version).toBe(200);
      expect(await status(email)).toBe('suppressed');
    }
    // A delivery notification concerns nobody's address.
    const delivery = await snsPost(sns.sign({ Type: 'Notification', TopicArn: TOPIC, Message: JSON.stringify({ notificationType: 'Delivery' }) }));
    expect(await delivery.json()).toMatchObject({ recorded: 0 });
  });

  it('suppresses nobody for an SNS message with a bad signature, from another topic, or altered after signing', async () => {
    const signed = sns.sign({ Type: 'Notification', TopicArn: TOPIC, Message: complaint('someone@example.net') });
    const attempts: Record<string, string>[] = [
      { ...sns.sign({ Type: 'Notification', TopicArn: TOPIC, Message: complaint('forged@example.net') }), Signature: 'garbage' },
      { ...signed, Message: complaint('forged@example.net') },
      sns.sign({ Type: 'Notification', TopicArn: 'arn:aws:sns:eu-west-1:999999999999:theirs', Message: complaint('forged@example.net') }),
      { ...sns.sign({ Type: 'Notification', TopicArn: TOPIC, Message: complaint('forged@example.net') }), SigningCertURL: 'https://evil.example.org/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem' },
      { ...sns.sign({ Type: 'Notification', TopicArn: TOPIC, Message: complaint('forged@example.net') }), SignatureVersion: '3' },
      { Type: 'Notification', TopicArn: TOPIC, Message: complaint('forged@example.net') },
    ];
    for (const a of attempts) expect((await snsPost(a)).status, JSON.stringify(a).slice(0, 200)).toBe(403);
    expect(await status('forged@example.net')).toBe('active');
    expect((await stack.served.runtime.database.pool.query(`select count(*)::int as n from bounce_events where email = 'forged@example.net'`)).rows[0].n).toBe(0);
  });

  it('suppresses on a Postmark hard bounce, and after the third soft bounce within 30 days', async () => {
    expect((await hook({ RecordType: 'Bounce', Type: 'HardBounce', Email: 'postmark@example.net', Description: 'The server was unable to deliver your message' })).status).toBe(200);
    expect(await status('postmark@example.net')).toBe('suppressed');
    for (let i = 1; i <= 3; i++) {
      const res = await hook({ RecordType: 'Bounce', Type: 'SoftBounce', Email: 'soft@example.net', Description: 'Mailbox full' });
      expect(await res.json()).toMatchObject({ outcomes: [{ outcome: i < 3 ? 'counted' : 'suppressed' }] });
      expect(await status('soft@example.net')).toBe(i < 3 ? 'active' : 'suppressed');
    }
  });
});

describe('npm run bounces', () => {
  it('imports DSNs and ARF reports from an mbox: a dead mailbox and a complaint suppress; a policy refusal and a delay do not', async () => {
    const run = promisify(execFile);
    const { stdout } = await run('node', ['--import', 'tsx', 'src/main/cli/bounces.ts', '--mbox', 'test/fixtures/bounces/reports.mbox'], {
      env: { ...process.env, ...stack.env, PORT: '0' },
      cwd: new URL('../..', import.meta.url).pathname,
    });
    expect(stdout).toContain('hard bounce for gone@example.net: suppressed');
    expect(stdout).toContain('complaint complaint for annoyed@example.net: suppressed');
    expect(stdout).toMatch(/3 messages: 2 addresses suppressed, 0 soft bounces counted, 1 messages without a bounce or complaint/);
    expect(await status('gone@example.net')).toBe('suppressed');
    expect(await status('annoyed@example.net')).toBe('suppressed');
    // 5.7.1 (content refused) is not the reader's fault, and "delayed" is a warning.
    expect(await status('blocked@example.net')).toBe('active');
    expect(await status('slow@example.net')).toBe('active');

    // The same from a folder of .eml files.
    const dir = mkdtempSync(join(tmpdir(), 'papermail-eml-'));
    const dsn = readFileSync('test/fixtures/bounces/reports.mbox', 'utf8').split(/^From .*\n/m)[1]!.replace(/gone@example\.net/g, 'folder@example.net');
    writeFileSync(join(dir, '0001.eml'), dsn);
    writeFileSync(join(dir, 'notes.txt'), 'not a message');
    const folder = await run('node', ['--import', 'tsx', 'src/main/cli/bounces.ts', '--dir', dir], { env: { ...process.env, ...stack.env, PORT: '0' }, cwd: new URL('../..', import.meta.url).pathname });
    expect(folder.stdout).toContain('0001.eml: hard bounce for folder@example.net: suppressed');
    expect(await status('folder@example.net')).toBe('suppressed');
  }, 60_000);
});

describe('after the bounces', () => {
  it('mails nobody suppressed, lists every suppression with its source, and lifts a mistaken one', async () => {
    const res = await stack.admin('/editions', { frequency: 'daily', force: true });
    await waitForEdition(stack, ((await res.json()) as { id: number }).id);
    const digests = stack.sink.messages.filter((m) => /Trending papers/.test(m.parsed.subject ?? '')).map((m) => m.envelopeTo[0]);
    // forged@ was named only in SNS messages that did not verify.
    expect(digests.sort()).toEqual(['blocked@example.net', 'fine@example.net', 'forged@example.net', 'slow@example.net']);

    const list = (await (await stack.admin('/suppressions')).json()) as { email: string; reason: string; source: string }[];
    const bySource = Object.fromEntries(list.map((s) => [s.email, `${s.reason}/${s.source}`]));
    expect(bySource).toEqual({
      'hard@example.net': 'bounce/webhook',
      'ses@example.net': 'complaint/complaint',
      'hard2@example.net': 'complaint/complaint',
      'postmark@example.net': 'bounce/webhook',
      'soft@example.net': 'soft-bounces/webhook',
      'gone@example.net': 'bounce/dsn',
      'annoyed@example.net': 'complaint/complaint',
      'folder@example.net': 'bounce/dsn',
    });
    const lifted = await stack.http('/api/admin/suppressions/hard%40example.net', { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(lifted.status).toBe(200);
    expect(await status('hard@example.net')).toBe('active');
    expect((await stack.http('/api/admin/suppressions/nobody%40example.net', { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
  });
});
