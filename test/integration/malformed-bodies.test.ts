// Malformed bodies and out-of-range numbers get a clear 4xx, never a 5xx, and change nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, subscribeAndConfirm, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('postgres');
});
afterAll(async () => stack?.close());

const statusOf = async (email: string) =>
  (await stack.served.runtime.database.db.execute<{ status: string }>(sql`select status::text from subscribers where email = ${email}`)).rows[0]?.status;

describe('malformed bodies', () => {
  it('answers 4xx to broken multipart one-click POSTs and unsubscribes nobody', async () => {
    await subscribeAndConfirm(stack, 'multipart@example.org');
    const id = (await stack.served.runtime.database.db.execute<{ id: number }>(sql`select id from subscribers where email = 'multipart@example.org'`)).rows[0]!.id;
    const link = `/unsubscribe/${stack.served.runtime.tokens.sign(id, 'unsubscribe')}`;
    const bodies: [string, string][] = [
      ['multipart/form-data', 'List-Unsubscribe=One-Click'],
      ['multipart/form-data; boundary=abc', '--xyz\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--xyz--\r\n'],
      ['multipart/form-data; boundary=abc', '--abc\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Cl'],
      ['multipart/form-data; boundary=abc', '--abc\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--abc--\r\n'],
      ['multipart/form-data; boundary=', ''],
    ];
    for (const [type, body] of bodies) {
      const res = await stack.http(link, { method: 'POST', headers: { 'content-type': type }, body });
      expect([type, body.slice(0, 20), res.status]).toEqual([type, body.slice(0, 20), res.status >= 400 && res.status < 500 ? res.status : "a 4xx"]);
    }
    expect(await statusOf('multipart@example.org')).toBe('active');
    // A well-formed one-click POST still works.
    const ok = await stack.http(link, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=abc' },
      body: '--abc\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--abc--\r\n',
    });
    expect(ok.status).toBe(200);
    expect(await statusOf('multipart@example.org')).toBe('unsubscribed');
  });

  it('answers 4xx to ids past what Postgres bigint or JavaScript can hold', async () => {
    for (const id of ['99999999999999999999', '9223372036854775808', '1e3', '-1', '0']) {
      const res = await stack.admin(`/editions/${id}`);
      expect([id, res.status]).toEqual([id, res.status >= 400 && res.status < 500 ? res.status : 'a 5xx']);
    }
  });
});
