// 1,000 forged or mutated tokens for every purpose: bit flips, truncation, another purpose, another reader,
// another secret, expired, dated ahead, non-canonical base64. Every one is refused by the verifier and by
// every route that takes it, and no reader changes.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens, type TokenPurpose, CONFIRM_TTL_SECONDS, DATA_LINK_TTL_SECONDS } from '../../src/domain/tokens.js';
import { startStack, subscribeAndConfirm, type Stack } from '../helpers/stack.js';
import { enc, forgedToken } from './arbitraries.js';

const PER_PURPOSE = 1000;
const TTL: Partial<Record<TokenPurpose, number>> = { confirm: CONFIRM_TTL_SECONDS, data: DATA_LINK_TTL_SECONDS };
/** Each purpose's routes: [method, path]. */
const ROUTES: Record<Exclude<TokenPurpose, 'form'>, [string, (t: string) => string][]> = {
  feedback: [['GET', (t) => `/feedback/${paper}/${t}?choice=more`], ['HEAD', (t) => `/feedback/${paper}/${t}`], ['POST', (t) => `/feedback/${paper}/${t}`]],
  'reading-list': [['GET', (t) => `/reading-list/${t}`], ['GET', (t) => `/reading-list/${t}/bibtex`], ['GET', (t) => `/reading-list/${t}/ris`]],
  confirm: [['GET', (t) => `/confirm/${t}`], ['HEAD', (t) => `/confirm/${t}`], ['POST', (t) => `/confirm/${t}`]],
  unsubscribe: [['GET', (t) => `/unsubscribe/${t}`], ['POST', (t) => `/unsubscribe/${t}`], ['POST', (t) => `/unsubscribe/${t}/data-link`]],
  preferences: [['GET', (t) => `/preferences/${t}`], ['POST', (t) => `/preferences/${t}`], ['POST', (t) => `/preferences/${t}/data-link`]],
  data: [['GET', (t) => `/data/${t}`], ['GET', (t) => `/data/${t}/export`], ['GET', (t) => `/data/${t}/erase`], ['POST', (t) => `/data/${t}/erase`]],
};

let stack: Stack;
let tokens: ReturnType<typeof createTokens>;
let id: number;
/** The paper a feedback token is signed for (its scope). */
let paper: string;
const scopeOf = (purpose: TokenPurpose) => (purpose === 'feedback' ? paper : undefined);
const snapshot = async () =>
  (
    await stack.served.runtime.database.pool.query(
      `select (select json_agg(s order by s.id) from subscribers s) as s, (select count(*) from outbox) as o, (select count(*) from consents) as c, (select count(*) from feedback) as f`,
    )
  ).rows[0];

beforeAll(async () => {
  stack = await startStack('postgres');
  await subscribeAndConfirm(stack, 'victim@example.org');
  await subscribeAndConfirm(stack, 'bystander@example.org');
  tokens = createTokens(stack.env.SECRET!);
  id = (await stack.served.runtime.database.pool.query(`select id from subscribers where email = 'victim@example.org'`)).rows[0].id;
  paper = (await stack.served.runtime.database.pool.query(`select id from papers order by id limit 1`)).rows[0].id;
  await stack.sink.waitFor((m) => m.length >= 4);
});
afterAll(async () => stack?.close());

describe.each(Object.keys(ROUTES) as (keyof typeof ROUTES)[])('forged %s tokens', (purpose) => {
  it(`refuses ${PER_PURPOSE} of them, in the verifier and on every route`, async () => {
    const stranger = createTokens('another-secret-another-secret-another-1');
    const nowS = Math.floor(Date.now() / 1000);
    const scope = scopeOf(purpose);
    const others = [
      ...(['confirm', 'unsubscribe', 'preferences', 'data', 'form', 'feedback', 'reading-list'] as TokenPurpose[]).filter((p) => p !== purpose).map((p) => tokens.sign(id, p, undefined, scopeOf(p))),
      stranger.sign(id, purpose, undefined, scope),
      tokens.sign(id, purpose, nowS + 3600, scope),
      ...(TTL[purpose] ? [tokens.sign(id, purpose, nowS - TTL[purpose]! - 60, scope)] : []),
      // A feedback token is good for its own paper only.
      ...(purpose === 'feedback' ? [tokens.sign(id, purpose, undefined, `${paper}x`), tokens.sign(id, purpose)] : []),
    ];
    const [forged] = fc.sample(fc.uniqueArray(forgedToken(tokens.sign(id, purpose, undefined, scope), others), { minLength: PER_PURPOSE, maxLength: PER_PURPOSE }), { numRuns: 1 });
    expect(new Set(forged).size).toBe(PER_PURPOSE);
    const before = await snapshot();
    for (const [n, token] of forged!.entries()) {
      expect(tokens.verify(token, purpose, TTL[purpose], scope), token).toBeNull();
      const [method, path] = ROUTES[purpose][n % ROUTES[purpose].length]!;
      const res = await stack.served.app!.inject({
        method: method as 'GET',
        url: path(enc(token)),
        ...(method === 'POST' ? { payload: purpose === 'feedback' ? 'choice=more' : 'frequency=weekly', headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
      });
      expect(res.statusCode, `${method} ${path(token)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${method} ${path(token)}`).toBeLessThan(500);
    }
    expect(await snapshot()).toEqual(before);
  });
});
