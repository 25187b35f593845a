// Behind the documented TLS-terminating proxy, consent records the reader's address, not the proxy's; without
// TRUST_PROXY, a forged X-Forwarded-For is ignored.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const signupIp = async (s: Stack, email: string, forwardedFor: string) => {
  const res = await s.http('/subscribe', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ email }),
  });
  expect(res.status).toBe(202);
  const row = await s.served.runtime.database.db.execute<{ ip: string }>(sql`
    select c.ip from consents c join subscribers s on s.id = c.subscriber_id where s.email = ${email} and c.kind = 'signup'`);
  return row.rows[0]!.ip;
};

describe('TRUST_PROXY', () => {
  it.each([
    [{}, '127.0.0.1'],
    [{ TRUST_PROXY: '1' }, '203.0.113.9'],
    [{ TRUST_PROXY: '127.0.0.1' }, '203.0.113.9'],
    [{ TRUST_PROXY: '10.0.0.0/8' }, '127.0.0.1'],
  ] as const)('with %j records the signup from %s', async (env, expected) => {
    stack = await startStack('postgres', env);
    expect(await signupIp(stack, 'proxied@example.org', '203.0.113.9')).toBe(expected);
  });
});
