// No log line holds a link token. Every route the API documents (and it documents every route it has, or it
// does not start) is called with a real, valid token in each of its parameters, by every method, with the
// token also in the query string and in a path no route matches; the service's own log lines (API and
// worker, one process, at info level) are captured, and none holds any of the tokens.
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens, signupScope, type TokenPurpose } from '../../src/domain/tokens.js';
import { startStack, type Stack } from '../helpers/stack.js';

const lines: string[] = [];
let stack: Stack;
let paper: string;
let n = 0;

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
  stack = await startStack('postgres', { LOG_LEVEL: 'info', WEBHOOK_SECRET: 'webhook-secret-0123456789', METRICS_TOKEN: 'metrics-token-0123456789' }, { logDestination: sink });
  paper = (await stack.served.runtime.database.db.execute<{ id: string }>(sql`select id from papers order by id limit 1`)).rows[0]!.id;
});
afterAll(async () => stack?.close());

const PURPOSE: Record<string, TokenPurpose> = { confirm: 'confirm', data: 'data', feedback: 'feedback', preferences: 'preferences', 'reading-list': 'reading-list', unsubscribe: 'unsubscribe' };

/** A new reader (pending, so that a confirmation may still apply) and a real token of `purpose` for them. */
async function realToken(purpose: TokenPurpose): Promise<string> {
  const email = `logged-${++n}@example.org`;
  const row = await stack.served.runtime.database.db.execute<{ id: number; consent_at: string }>(
    sql`insert into subscribers (email, status, frequency, consent_at) values (${email}, 'pending', 'daily', now()) returning id, consent_at`,
  );
  const id = Number(row.rows[0]!.id);
  const reader = await stack.served.runtime.repos.subscribers.byId(id);
  const scope = purpose === 'feedback' ? paper : purpose === 'confirm' ? signupScope(reader!.consentAt) : undefined;
  return createTokens(stack.env.SECRET!).sign(id, purpose, undefined, scope);
}

describe('access and error logs', () => {
  it('hold no token of any route, by any method, in the path, the query or an unmatched path', async () => {
    const doc = (await (await stack.http('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const used: string[] = [];
    let requests = 0;
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const method of [...Object.keys(methods).map((m) => m.toUpperCase()), ...('get' in methods ? ['HEAD'] : [])]) {
        const purpose = PURPOSE[template.split('/')[1]!] ?? 'preferences';
        const token = await realToken(purpose);
        const query = await realToken('unsubscribe');
        used.push(token, query);
        const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'paper' ? paper : name === 'id' ? '1' : name === 'email' ? 'someone@example.org' : encodeURIComponent(token)));
        const res = await stack.served.app!.inject({
          method: method as 'GET',
          url: `${path}?token=${query}&_csrf=${query}&choice=more`,
          ...(method === 'POST' ? { payload: 'choice=more&frequency=weekly&List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        });
        expect(res.statusCode, `${method} ${template}`).toBeLessThan(500);
        requests++;
      }
    }
    // Paths no route matches, and a URL longer than anything logged.
    for (const url of [`/confirm/${await realToken('confirm')}/more`, `/unsubscribe/x/${await realToken('unsubscribe')}`, `/nowhere?${'a'.repeat(16_000)}${await realToken('data')}`]) {
      used.push(/[0-9]+\.[0-9a-z]+\.[\w-]{22}/.exec(url)![0]);
      expect((await stack.served.app!.inject({ method: 'GET', url })).statusCode).toBeLessThan(500);
      requests++;
    }
    // The confirmation and welcome mails the requests owed are sent by the worker in this process too.
    await new Promise((r) => setTimeout(r, 1500));
    expect(requests).toBeGreaterThan(70);
    const log = lines.join('');
    expect(lines.filter((l) => l.includes('"msg":"request"')).length).toBeGreaterThanOrEqual(requests);
    for (const token of used) {
      const mac = token.slice(-22);
      expect(log.includes(token) || log.includes(mac) || log.includes(encodeURIComponent(token)), token).toBe(false);
    }
    // Every logged URL is 2 KB or less (and says how much was left out).
    for (const l of lines.filter((x) => x.includes('"msg":"request"'))) expect((JSON.parse(l) as { url: string }).url.length).toBeLessThanOrEqual(2048 + 20);
  });
});
