// Wrong bearer tokens are limited on the admin API and on /metrics as on the console's sign-in form: ten a
// minute from one client, then 429 with Retry-After, the right token included, until the minute is over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startStack, type Stack } from '../helpers/stack.js';

const METRICS_TOKEN = 'metrics-token-0123456789';
let stack: Stack;

beforeAll(async () => {
  // Behind one trusted proxy, so that each test speaks from a client address of its own.
  stack = await startStack('postgres', { METRICS_TOKEN, TRUST_PROXY: '1' });
});
afterAll(async () => stack?.close());

const from = (ip: string, token: string, path: string) => stack.http(path, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip } });

describe.each([
  ['the admin API', '/api/admin/overview', ADMIN_TOKEN, '198.51.100.1'],
  ['/metrics', '/metrics', METRICS_TOKEN, '198.51.100.2'],
])('wrong bearer tokens on %s', (_name, path, right, ip) => {
  it('are refused ten times with 401, then the client waits, whatever token it presents', async () => {
    for (let i = 0; i < 10; i++) expect((await from(ip, `wrong-token-${i}-0123456789`, path)).status).toBe(401);
    const locked = await from(ip, right, path);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another client is not held back, and a request without any token is no guess.
    expect((await from('198.51.100.99', right, path)).status).toBe(200);
    expect((await stack.http(path, { headers: { 'x-forwarded-for': '198.51.100.98' } })).status).toBe(401);
    // The minute passes (the counter is Postgres's): the right token works again.
    await stack.served.runtime.database.pool.query(`update rate_limits set expire = 0 where key like 'bearer:%'`);
    expect((await from(ip, right, path)).status).toBe(200);
  });
});
