// Generated attack on every public route (fast-check): form, JSON, multipart and raw bodies, wrong content
// types, huge, unicode, CRLF, array, object and prototype values, mutated path tokens and junk query
// strings, against the whole service on real Postgres and a real SMTP sink.
// Holds: no 5xx; no row from invalid input; no HTML answer echoes markup; no mail header gains a line.
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens, type TokenPurpose } from '../../src/domain/tokens.js';
import { ADMIN_TOKEN, startStack, subscribeAndConfirm, type Stack } from '../helpers/stack.js';
import { enc, forgedToken, invalidEmail, jsonValue, MARK_FOUND, nasty, text } from './arbitraries.js';

let stack: Stack;
let sent = 0;
const statuses = new Map<number, number>();
const ROWS = ['subscribers', 'consents', 'deliveries', 'outbox', 'editions', 'suppressions', 'rate_limits', 'bounce_events', 'feedback'];
const WEBHOOK_SECRET = 'fuzz-webhook-secret-0123';
// The one row a wrong bearer token may leave is its failure counter (bearer.ts): that is the defence.
const WHERE: Record<string, string> = { rate_limits: `where key not like 'bearer:%'` };
const counts = async () => {
  const out: Record<string, number> = {};
  for (const t of ROWS) out[t] = (await stack.served.runtime.database.pool.query(`select count(*)::int as n from ${t} ${WHERE[t] ?? ''}`)).rows[0].n;
  return out;
};
let before: Record<string, number>;
let tokenRoutes: fc.Arbitrary<{ path: string; purpose: TokenPurpose }>;

beforeAll(async () => {
  // Each request speaks from an address of its own (through one trusted proxy): ten wrong bearer tokens from
  // one client lock it out for a minute (bearer-limits.test.ts), and the attack should reach the handlers.
  stack = await startStack('postgres', { WEBHOOK_SECRET, TRUST_PROXY: '1' });
  await subscribeAndConfirm(stack, 'reader@example.org');
  await subscribeAndConfirm(stack, 'left@example.org');
  const tokens = createTokens(stack.env.SECRET!);
  const stranger = createTokens('another-secret-another-secret-another-1');
  const id = (await stack.served.runtime.repos.subscribers.byId(1))!.id;
  const left = id + 1;
  const leftToken = tokens.sign(left, 'unsubscribe');
  expect((await stack.http(`/unsubscribe/${leftToken}`, { method: 'POST' })).status).toBe(200);
  const purposes: TokenPurpose[] = ['confirm', 'unsubscribe', 'preferences', 'data', 'reading-list'];
  const paper = (await stack.served.runtime.database.pool.query(`select id from papers order by id limit 1`)).rows[0].id as string;
  const longAgo = Math.floor(Date.now() / 1000) - 30 * 24 * 3600;
  const future = Math.floor(Date.now() / 1000) + 24 * 3600;
  const forged = (purpose: TokenPurpose) =>
    forgedToken(tokens.sign(id, purpose), [
      ...purposes.filter((p) => p !== purpose).map((p) => tokens.sign(id, p)),
      tokens.sign(id, 'form'),
      stranger.sign(id, purpose),
      // Authentic but out of time: expired where links expire (confirm, data), or dated in the future.
      ...(purpose === 'confirm' || purpose === 'data' ? [tokens.sign(id, purpose, longAgo)] : []),
      tokens.sign(id, purpose, future),
    ]);
  const at = (purpose: TokenPurpose, ...paths: ((t: string) => string)[]) =>
    fc.tuple(forged(purpose), fc.constantFrom(...paths)).map(([t, p]) => ({ path: p(enc(t)), purpose }));
  tokenRoutes = fc.oneof(
    at('confirm', (t) => `/confirm/${t}`),
    at('unsubscribe', (t) => `/unsubscribe/${t}`, (t) => `/unsubscribe/${t}/data-link`),
    at('preferences', (t) => `/preferences/${t}`, (t) => `/preferences/${t}/data-link`, (t) => `/preferences/${t}/export`),
    at('data', (t) => `/data/${t}`, (t) => `/data/${t}/export`, (t) => `/data/${t}/erase`),
    at('reading-list', (t) => `/reading-list/${t}`, (t) => `/reading-list/${t}/bibtex`, (t) => `/reading-list/${t}/ris`),
    // Feedback tokens are signed for a paper too: forged ones on the right paper, real ones on another paper or on junk.
    fc
      .tuple(forgedToken(tokens.sign(id, 'feedback', undefined, paper), [tokens.sign(id, 'feedback'), tokens.sign(id, 'preferences'), stranger.sign(id, 'feedback', undefined, paper)]), fc.constantFrom('?choice=more', '?choice=less', ''))
      .map(([t, q]) => ({ path: `/feedback/${enc(paper)}/${enc(t)}${q}`, purpose: 'feedback' as TokenPurpose })),
    fc.oneof(nasty, fc.constantFrom('2601.99999', '..', '%2F')).map((other) => ({ path: `/feedback/${enc(other)}/${enc(tokens.sign(id, 'feedback', undefined, paper))}`, purpose: 'feedback' as TokenPurpose })),
  );
  // Settle the mail of the two readers (two confirmations, one welcome: the other left first) before counting.
  await stack.sink.waitFor((m) => m.length >= 3);
  await new Promise((r) => setTimeout(r, 1000));
  before = await counts();
});
afterAll(async () => stack?.close());

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'] as const;
const FIELDS = ['email', 'frequency', 'topics', 'website', 'form_ts', 'altcha', 'max_papers', 'send_hour', 'timezone', 'choice', '__proto__', 'constructor[prototype][x]', 'topics[]'];
const field = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: text });
/** Field values; an "email" is never a usable address, so no generated signup may store anything. */
const pairs = fc.array(fc.tuple(field, text), { maxLength: 6 }).chain((ps) => fc.tuple(fc.constant(ps), invalidEmail, fc.boolean()));
const formPairs = pairs.map(([ps, email, withEmail]) => [...ps.filter(([k]) => k !== 'email'), ...(withEmail ? [['email', email] as [string, string]] : [])]);

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/json',
  'application/json; charset=utf-16',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary=zz',
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  '*/*',
  'garbage',
];

/** A body and its content type: well-formed or not, matching its type or not. */
const body: fc.Arbitrary<{ type?: string; payload?: string }> = fc.oneof(
  formPairs.map((ps) => ({ type: 'application/x-www-form-urlencoded', payload: ps.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&') })),
  fc
    .tuple(fc.dictionary(fc.constantFrom(...FIELDS.filter((f) => f !== 'email')), jsonValue, { maxKeys: 5 }), invalidEmail, fc.boolean())
    .map(([o, email, withEmail]) => ({ type: 'application/json', payload: JSON.stringify(withEmail ? { ...o, email } : o) })),
  fc.constantFrom('{"__proto__":{"polluted":1},"email":"x"}', '{"constructor":{"prototype":{"polluted":1}}}', '[]', 'null', '"x"', '{', '{"email":', '1e999').map((p) => ({ type: 'application/json', payload: p })),
  formPairs.map((ps) => ({
    type: 'multipart/form-data; boundary=fz',
    payload: ps.map(([k, v]) => `--fz\r\nContent-Disposition: form-data; name="${k.replace(/"/g, '')}"\r\n\r\n${v}\r\n`).join('') + '--fz--\r\n',
  })),
  fc.tuple(fc.constantFrom(...CONTENT_TYPES), text).map(([type, payload]) => ({ type, payload })),
  fc.constant({}),
);

/** A public route, or a token route with a forged token, or a path of junk. */
const route = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('/', '/subscribe', '/archive', '/archive.rss', '/health', '/ready', '/dev/inbox', '/assets/signup.js', '/assets/../package.json', '/api/webhooks/bounces', '/api/admin/suppressions', '/api/admin/subscribers', '/api/admin/subscribers.csv', '/api/admin/subscribers/import', '/api/admin/editions', '/api/admin/preview', '/api/admin/overview', '/admin', '/admin/sign-in', '/admin/sign-out', '/admin/editions', '/admin/subscribers', '/admin/subscribers/import', '/admin/suppressions/lift', '/admin/ingest', '/admin/queues', '/admin/queues/api/queues') },
    { weight: 6, arbitrary: tokenRoutes.map((r) => r.path) },
    { weight: 1, arbitrary: fc.oneof(nasty, fc.nat()).map((id) => `/archive/${enc(String(id))}`) },
    { weight: 1, arbitrary: fc.oneof(nasty, fc.nat()).map((id) => `/api/admin/editions/${enc(String(id))}`) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(nasty, fc.nat()), fc.constantFrom('/api/admin/subscribers/', '/admin/editions/', '/admin/subscribers/')).map(([id, at]) => `${at}${enc(String(id))}`) },
    { weight: 1, arbitrary: text.map((t) => `/${enc(t).slice(0, 300)}`) },
  );
const query = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(field, text), { maxLength: 4 }).map((ps) => `?${ps.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}`),
  fc.constantFrom('?a[b]=1&__proto__[x]=1', '?%', '?%zz', '?' + 'a=1&'.repeat(2000), '?token=%00'),
);
const request = fc.record({ method: fc.constantFrom(...METHODS), path: fc.constant(null).chain(() => route()), query, body, auth: fc.constantFrom(null, 'Bearer wrong', `Bearer ${ADMIN_TOKEN}`, 'Basic Zm9vOmJhcg==', `Basic ${Buffer.from(`sns:${WEBHOOK_SECRET}`).toString('base64')}`) });

/** Sends one request in-process and checks what must hold for every answer. */
type Req = { method: string; path: string; query: string; body: { type?: string; payload?: string }; auth: string | null };
async function attack(r: Req) {
  const headers: Record<string, string> = { 'x-forwarded-for': `10.${(sent >> 16) & 255}.${(sent >> 8) & 255}.${sent & 255}` };
  if (r.body.type) headers['content-type'] = r.body.type;
  if (r.auth) headers.authorization = r.auth;
  // A real admin token may only read: a valid admin POST would legitimately create an edition.
  const method = r.auth === `Bearer ${ADMIN_TOKEN}` && r.path.startsWith('/api/admin') ? 'GET' : r.method;
  const res = await stack.served.app!.inject({ method, url: r.path + r.query, headers, payload: method === 'GET' || method === 'HEAD' ? undefined : r.body.payload } as InjectOptions);
  sent++;
  statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  expect(res.statusCode, `${method} ${r.path}${r.query.slice(0, 80)} (${r.body.type}) answered ${res.statusCode}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
  if (String(res.headers['content-type'] ?? '').startsWith('text/html')) expect(res.body).not.toMatch(MARK_FOUND);
  for (const [k, v] of Object.entries(res.headers)) expect(`${k}: ${String(v)}`).not.toMatch(/[\r\n]/);
  // Only the console's sign-in form sets a cookie (its CSRF secret); no request without the token gets a session.
  if (r.path.startsWith('/admin')) expect(String(res.headers['set-cookie'] ?? '')).not.toMatch(/papermail_admin=/);
  else expect(res.headers['set-cookie']).toBeUndefined();
}

describe('generated requests against every public route', () => {
  it('never answers 5xx, never echoes markup, never stores a row, in at least 10,000 requests', async () => {
    await fc.assert(fc.asyncProperty(request, async (r) => attack(r)), { numRuns: 7500 });
    // Signups: every shape of body to /subscribe, with an email no validator may accept.
    await fc.assert(
      fc.asyncProperty(fc.record({ method: fc.constant('POST' as const), path: fc.constant('/subscribe'), query, body, auth: fc.constant(null) }), async (r) => attack(r)),
      { numRuns: 2000 },
    );
    // A usable address with an unusable field beside it stores nothing either.
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[a-z]{1,10}$/),
        nasty.filter((f) => !['', 'daily', 'weekly'].includes(f.trim())),
        fc.constantFrom('frequency', 'topics'),
        async (local, bad, key) => {
          const value = key === 'topics' ? `ok,\r\n${bad}` : bad;
          const res = await stack.served.app!.inject({ method: 'POST', url: '/subscribe', payload: { email: `${local}@example.org`, [key]: value } });
          sent++;
          expect([400, 413]).toContain(res.statusCode);
          // The JSON answer may quote the value (JSON is not markup); the form's HTML answer escapes it.
          const page = await stack.served.app!.inject({ method: 'POST', url: '/subscribe', payload: new URLSearchParams({ email: `${local}@example.org`, [key]: value }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
          sent++;
          expect([400, 413]).toContain(page.statusCode);
          expect(page.body).not.toMatch(MARK_FOUND);
        },
      ),
      { numRuns: 500 },
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
    // The attack reached the handlers, not just the router: pages, refusals of every kind.
    console.info('fuzz answers by status:', Object.fromEntries([...statuses].sort(([a], [b]) => a - b)));
    for (const code of [200, 400, 401, 404, 410, 413, 415]) expect(statuses.get(code) ?? 0, `answers ${code}`).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
    // The readers behind the forged tokens are as they were.
    const states = await stack.served.runtime.database.pool.query(`select email, status from subscribers order by id`);
    expect(states.rows).toEqual([
      { email: 'reader@example.org', status: 'active' },
      { email: 'left@example.org', status: 'unsubscribed' },
    ]);
  }, 240_000);

  it('puts no line into a mail header from any accepted address', async () => {
    const accepted: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.emailAddress({ size: 'small' }), fc.string({ maxLength: 30 }), async (email, topics) => {
        const res = await stack.served.app!.inject({ method: 'POST', url: '/subscribe', payload: { email, topics: topics.replace(/[\r\n]/g, ' ') } });
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode === 202) accepted.push(email.toLowerCase());
      }),
      { numRuns: 200 },
    );
    const unique = [...new Set(accepted)];
    expect(unique.length).toBeGreaterThan(30);
    const mails = await stack.sink.waitFor((m) => unique.every((a) => m.some((x) => x.envelopeTo.some((t) => t.toLowerCase() === a))), 60_000);
    for (const a of unique) {
      const mail = mails.find((x) => x.envelopeTo.some((t) => t.toLowerCase() === a))!;
      const head = mail.raw.toString('utf8').split('\r\n\r\n')[0]!;
      const names = head
        .split('\r\n')
        .filter((l) => !/^\s/.test(l))
        .map((l) => l.slice(0, l.indexOf(':')).toLowerCase())
        .sort();
      expect(names).toEqual(['content-type', 'date', 'from', 'message-id', 'mime-version', 'subject', 'to']);
      expect(mail.parsed.to && 'value' in mail.parsed.to ? mail.parsed.to.value.map((v) => v.address?.toLowerCase()) : []).toEqual([a]);
    }
  });
});
