// Malformed signups get a clear 4xx, and leave no row and no mail behind.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('postgres');
});
afterAll(async () => stack?.close());

const form = 'application/x-www-form-urlencoded';
const json = 'application/json';
const cases: { name: string; type: string; body: string | Buffer; status: number; message: RegExp }[] = [
  { name: 'a bad address', type: form, body: 'email=not-an-address&frequency=daily', status: 400, message: /email address/i },
  { name: 'an address without a domain dot', type: json, body: '{"email":"a@localhost","frequency":"daily"}', status: 400, message: /domain/i },
  { name: 'CR/LF in the address', type: form, body: 'email=a%40example.org%0D%0ABcc%3A+b%40example.org&frequency=daily', status: 400, message: /line breaks/ },
  { name: 'CR/LF in the frequency', type: json, body: '{"email":"a@example.org","frequency":"daily\\r\\nX: y"}', status: 400, message: /line breaks/ },
  { name: 'an unknown frequency', type: form, body: 'email=a%40example.org&frequency=hourly', status: 400, message: /frequency/i },
  { name: 'a body too large', type: form, body: `email=a%40example.org&pad=${'x'.repeat(40_000)}`, status: 413, message: /too large/i },
  { name: 'broken JSON', type: json, body: '{"email": "a@example.org",', status: 400, message: /JSON/ },
  { name: 'a wrong content type', type: 'text/plain', body: 'email=a@example.org', status: 415, message: /urlencoded or JSON/ },
  { name: 'multipart', type: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.org\r\n--x--\r\n', status: 415, message: /urlencoded or JSON/ },
  { name: 'a non-text field', type: json, body: '{"email":["a@example.org"],"frequency":"daily"}', status: 400, message: /must be text/ },
  { name: 'an empty body', type: json, body: '', status: 400, message: /empty|JSON/i },
  { name: 'a JSON array', type: json, body: '["a@example.org"]', status: 400, message: /email/i },
];

describe('POST /subscribe rejects bad input', () => {
  it.each(cases)('$name → $status', async ({ type, body, status, message }) => {
    for (const accept of ['application/json', 'text/html']) {
      const res = await stack.http('/subscribe', { method: 'POST', headers: { 'content-type': type, accept }, body });
      expect(res.status).toBe(status);
      const text = await res.text();
      expect(text).toMatch(message);
      if (type === json || accept === 'application/json') expect(() => JSON.parse(text)).not.toThrow();
      else expect(res.headers.get('content-type')).toMatch(/text\/html/);
    }
  });

  it('stored nothing and queued no mail for any of them', async () => {
    const db = stack.served.runtime.database.db;
    const rows = await db.execute<{ n: number }>(sql`select count(*)::int as n from subscribers`);
    expect(rows.rows[0]!.n).toBe(0);
    const counts = await stack.served.runtime.producer.queues.transactional.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    expect(stack.sink.messages).toHaveLength(0);
  });

  it('answers the same for new, pending and active addresses', async () => {
    const post = (email: string) =>
      stack.http('/subscribe', { method: 'POST', headers: { 'content-type': json }, body: JSON.stringify({ email, frequency: 'weekly' }) });
    const first = await post('same@example.org');
    const second = await post('same@example.org');
    const body1 = await first.json();
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(await second.json()).toEqual(body1);
    // The second request inside the resend window mails nothing more.
    await stack.sink.waitFor((m) => m.length === 1);
    const db = stack.served.runtime.database.db;
    const rows = await db.execute<{ n: number }>(sql`select count(*)::int as n from subscribers where lower(email) = 'same@example.org'`);
    expect(rows.rows[0]!.n).toBe(1);
  });
});
