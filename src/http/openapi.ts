import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { SESSION_COOKIE } from './admin-session.js';

// The API description (OpenAPI 3, @fastify/swagger, served at /openapi.json and /docs). Validation stays
// where it is (the routes' own schemas and src/domain, whose messages a person understands); this table
// only describes requests and answers, merged into each route's schema when the document is generated.

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: true });
const error = { ...obj({ error: { type: 'string' }, statusCode: { type: 'integer' } }, ['error', 'statusCode']), description: 'A clear message: `{error, statusCode}` for JSON clients, an HTML page for browsers.' };
const page = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const token = { type: 'object', properties: { token: { type: 'string', description: 'The link token from a mail: id.issued.mac' } }, required: ['token'] };
const feedbackParams = {
  type: 'object',
  properties: { paper: { type: 'string', description: 'The paper id, e.g. 2511.12345' }, token: { type: 'string', description: 'The link token, signed for the reader and the paper' } },
  required: ['paper', 'token'],
};
const bearer = [{ bearer: [] as string[] }];
const session = [{ session: [] as string[] }];
const seeOther = { description: 'See other: the next page (or the sign-in page without a session)' };
const qs = (properties: Record<string, unknown>) => ({ type: 'object', properties });
const notice = qs({ notice: { type: 'string', description: 'A message shown once after a form' } });
const idParam = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] };
const readerSearch = qs({ search: { type: 'string' }, status: { type: 'string', enum: ['pending', 'active', 'unsubscribed', 'suppressed'] }, after: { type: 'integer' } });
/** A console form (application/x-www-form-urlencoded) with its CSRF token. */
const form = (properties: Record<string, unknown>, required: string[] = []) => ({ ...obj({ ...properties, _csrf: { type: 'string', description: "The console page's CSRF token" } }, [...required, '_csrf']), description: 'application/x-www-form-urlencoded' });

const schedule = {
  timezone: { type: 'string', description: 'IANA time zone, e.g. Asia/Tokyo' },
  send_hour: { type: ['integer', 'string'], minimum: 0, maximum: 23, description: 'Local hour of delivery, 0-23 (a number or its text)' },
  send_day: { type: ['integer', 'string'], description: 'Weekday of a weekly digest: 1 (Monday) to 7, or its English name' },
};
const signupBody = obj(
  {
    email: { type: 'string', format: 'email', maxLength: 254 },
    frequency: { type: 'string', enum: ['daily', 'weekly'], default: 'daily' },
    topics: { oneOf: [{ type: 'string', description: 'comma-separated' }, { type: 'array', items: { type: 'string' }, maxItems: 20 }] },
    ...schedule,
    website: { type: 'string', description: 'The honeypot: leave it empty' },
    form_ts: { type: 'string', description: 'The form stamp from the signup page' },
    altcha: { type: 'string', description: 'The proof-of-work answer, when SIGNUP_PROOF_OF_WORK is on' },
  },
  ['email'],
);
const preferences = obj({
  frequency: { type: 'string', enum: ['daily', 'weekly', 'paused'] },
  topics: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  max_papers: { type: ['integer', 'string', 'null'], description: '1-30; empty or null for the default' },
  ...schedule,
});
const preferencesView = obj({
  email: { type: 'string' },
  frequency: { type: 'string' },
  topics: { type: 'array', items: { type: 'string' } },
  max_papers: { type: ['integer', 'null'] },
  ...schedule,
  next_send_at: { type: ['string', 'null'], format: 'date-time' },
  schedule: { type: 'string', description: 'The schedule in words' },
  status: { type: 'string' },
});
const editionStats = obj({
  id: { type: 'integer' },
  frequency: { type: 'string' },
  period: { type: 'string' },
  status: { type: 'string', enum: ['pending', 'assigning', 'sending', 'sent', 'paused', 'empty'] },
  recipients: { type: 'integer' },
  queued: { type: 'integer' },
  sending: { type: 'integer' },
  sent: { type: 'integer' },
  failed: { type: 'integer' },
  skipped: { type: 'integer' },
  renders: { type: 'integer' },
  papers: { type: 'array', items: { type: 'string' } },
  note: { type: ['string', 'null'] },
  pausedReason: { type: ['string', 'null'] },
});

type Doc = { summary: string; tags: string[]; body?: unknown; querystring?: unknown; params?: unknown; response: Record<string, unknown>; security?: unknown };

/** Each route's description, keyed "METHOD /url" as Fastify registers it. */
export const ROUTE_DOCS: Record<string, Doc> = {
  'GET /': { summary: 'The signup form', tags: ['Readers'], response: { 200: page('The signup page') } },
  'POST /subscribe': {
    summary: 'Subscribe (form or JSON); a confirmation mail follows',
    tags: ['Readers'],
    body: signupBody,
    response: {
      200: page('"Check your inbox" (form posts): the same for new, pending and active addresses'),
      202: { description: 'Accepted (JSON): the same answer whatever the address', ...obj({ status: { type: 'string' }, message: { type: 'string' } }) },
      400: error,
      415: error,
      429: { ...error, description: 'Too many signups from this IP; see Retry-After' },
    },
  },
  'GET /confirm/{token}': { summary: 'The confirmation page: one button, changes nothing', tags: ['Readers'], params: token, response: { 200: page('Confirm, or already subscribed'), 400: error, 410: error } },
  'POST /confirm/{token}': { summary: 'Confirm the subscription', tags: ['Readers'], params: token, response: { 200: page("You're subscribed"), 400: error, 410: error } },
  'GET /unsubscribe/{token}': { summary: 'The unsubscribe page: one button, changes nothing', tags: ['Readers'], params: token, response: { 200: page('Unsubscribe?'), 400: error } },
  'POST /unsubscribe/{token}': { summary: 'Unsubscribe at once (the button, or an RFC 8058 one-click POST)', tags: ['Readers'], params: token, response: { 200: page("You're unsubscribed"), 400: error } },
  'GET /preferences/{token}': { summary: 'The preference center (HTML, or JSON with Accept: application/json)', tags: ['Readers'], params: token, response: { 200: { description: 'The preferences', ...preferencesView }, 400: error, 404: error } },
  'POST /preferences/{token}': { summary: 'Save preferences; a field left out keeps its value', tags: ['Readers'], params: token, body: preferences, response: { 200: { description: 'The saved preferences', ...preferencesView }, 400: error, 404: error } },
  'POST /preferences/{token}/data-link': { summary: 'Mail the address a link to its data (valid one hour)', tags: ['Your data'], params: token, response: { 200: page('Check your inbox'), 202: obj({ status: { type: 'string' }, message: { type: 'string' } }), 400: error } },
  'POST /unsubscribe/{token}/data-link': { summary: 'The same, for a reader who left', tags: ['Your data'], params: token, response: { 200: page('Check your inbox'), 400: error } },
  'GET /data/{token}': { summary: 'The mailed data page', tags: ['Your data'], params: token, response: { 200: page('Your data'), 400: error, 404: error, 410: error } },
  'GET /data/{token}/export': { summary: 'Everything stored about the reader (GDPR Art. 15)', tags: ['Your data'], params: token, response: { 200: { description: 'A JSON attachment', ...obj({ exportedAt: { type: 'string' }, subscriber: { type: 'object' }, consents: { type: 'array' }, deliveries: { type: 'array' }, feedback: { type: 'array' } }) }, 404: error, 410: error } },
  'GET /data/{token}/erase': { summary: 'Asks "erase everything?"; changes nothing', tags: ['Your data'], params: token, response: { 200: page('Erase your data?'), 410: error } },
  'POST /data/{token}/erase': { summary: 'Erase the reader for good (GDPR Art. 17)', tags: ['Your data'], params: token, response: { 200: page('Your data is erased'), 404: error, 410: error } },
  'GET /feedback/{paper}/{token}': {
    summary: 'A feedback link from a digest: names the paper and the choice, with one button; records nothing',
    tags: ['Readers'],
    params: feedbackParams,
    querystring: { type: 'object', properties: { choice: { type: 'string', enum: ['more', 'less'] } } },
    response: { 200: { description: 'The page (or JSON: the paper and the current choice)', ...obj({ paper: { type: 'object' }, choice: { type: ['string', 'null'] } }) }, 400: error, 404: error },
  },
  'POST /feedback/{paper}/{token}': {
    summary: 'Record "more like this" or "less like this" on a paper (the last choice wins), or take it back',
    tags: ['Readers'],
    params: feedbackParams,
    body: obj({ choice: { type: 'string', enum: ['more', 'less', 'undo'] } }, ['choice']),
    response: { 200: { description: 'Noted (or JSON: the paper and the choice now)', ...obj({ paper: { type: 'object' }, choice: { type: ['string', 'null'] } }) }, 400: error, 404: error, 415: error },
  },
  'GET /reading-list/{token}': { summary: 'The papers the reader liked, newest first (HTML, or JSON)', tags: ['Readers'], params: token, response: { 200: { description: 'The reading list', ...obj({ papers: { type: 'array' } }) }, 400: error, 404: error } },
  'GET /reading-list/{token}/bibtex': { summary: 'The reading list as BibTeX', tags: ['Readers'], params: token, response: { 200: { description: 'BibTeX', content: { 'application/x-bibtex': { schema: { type: 'string' } } } }, 400: error, 404: error } },
  'GET /reading-list/{token}/ris': { summary: 'The reading list as RIS', tags: ['Readers'], params: token, response: { 200: { description: 'RIS', content: { 'application/x-research-info-systems': { schema: { type: 'string' } } } }, 400: error, 404: error } },
  'GET /archive': { summary: 'Past editions', tags: ['Archive'], response: { 200: page('The archive') } },
  'GET /archive.rss': { summary: 'Past editions as RSS 2.0', tags: ['Archive'], response: { 200: { description: 'RSS', content: { 'application/rss+xml': { schema: { type: 'string' } } } } } },
  'GET /archive/{id}': { summary: "An edition's web version", tags: ['Archive'], params: { type: 'object', properties: { id: { type: 'string' } } }, response: { 200: page('The edition'), 404: error } },
  'GET /health': { summary: 'Liveness', tags: ['Operations'], response: { 200: obj({ status: { type: 'string' } }) } },
  'GET /ready': { summary: 'Readiness: Postgres and the queue answer; checks.smtp is advisory', tags: ['Operations'], response: { 200: obj({ status: { type: 'string' }, checks: { type: 'object' } }), 503: obj({ status: { type: 'string' }, checks: { type: 'object' } }) } },
  'GET /metrics': { summary: 'Prometheus metrics (METRICS_TOKEN)', tags: ['Operations'], security: bearer, response: { 200: { description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } }, 401: error, 503: error } },
  'POST /api/admin/editions': { summary: "Send the period's edition now (or a forced extra one)", tags: ['Admin'], security: bearer, response: { 200: obj({ id: { type: 'integer' }, created: { type: 'boolean' }, period: { type: 'string' }, queued: { type: 'boolean' } }), 201: obj({ id: { type: 'integer' }, created: { type: 'boolean' }, period: { type: 'string' }, queued: { type: 'boolean' } }), 400: error, 401: error } },
  'GET /api/admin/editions/{id}': {
    summary: "An edition's status and counts, its ledger (target = sent + failed + skipped + suppressed + unsubscribed + erased + open; missing: targets without a row) and, paused, when the breaker next probes",
    tags: ['Admin'],
    security: bearer,
    response: {
      200: {
        ...editionStats,
        properties: {
          ...editionStats.properties,
          pauseKind: { type: ['string', 'null'], enum: ['breaker', 'operator', 'complaints', null] },
          nextProbeAt: { type: ['string', 'null'], format: 'date-time' },
          ledger: obj({
            target: { type: 'integer' },
            sent: { type: 'integer' },
            failed: { type: 'integer' },
            skipped: { type: 'integer' },
            suppressed: { type: 'integer' },
            unsubscribed: { type: 'integer' },
            erased: { type: 'integer' },
            open: { type: 'integer' },
            missing: { type: 'integer' },
            missingIds: { type: 'array', items: { type: 'integer' } },
            balanced: { type: 'boolean' },
          }),
        },
      },
      400: error,
      401: error,
      404: error,
    },
  },
  'POST /api/admin/editions/{id}/resume': { summary: 'Resume a paused edition', tags: ['Admin'], security: bearer, response: { 200: editionStats, 401: error, 404: error, 409: error } },
  'POST /api/admin/editions/{id}/pause': { summary: 'Pause an edition by hand (only a resume by hand starts it again)', tags: ['Admin'], security: bearer, response: { 200: editionStats, 401: error, 404: error, 409: error } },
  'GET /api/admin/overview': { summary: 'Readers by status, the catalogue size and the latest editions', tags: ['Admin'], security: bearer, response: { 200: obj({ subscribers: { type: 'object' }, papers: { type: 'integer' }, editions: { type: 'array', items: editionStats } }), 401: error } },
  'GET /api/admin/editions': { summary: 'Editions, newest first, with their counts (keyset: before=id)', tags: ['Admin'], security: bearer, response: { 200: { type: 'array', items: editionStats }, 400: error, 401: error } },
  'POST /api/admin/editions/{id}/resend-failed': { summary: "Queue an edition's failed rows again, for readers who may be mailed now", tags: ['Admin'], security: bearer, response: { 200: { ...editionStats, properties: { ...editionStats.properties, requeued: { type: 'integer' }, queued: { type: 'boolean' } } }, 401: error, 404: error } },
  'GET /api/admin/preview': { summary: 'The next digest (for one reader with email=), as HTML; nothing is stored', tags: ['Admin'], security: bearer, response: { 200: page('The digest'), 400: error, 401: error, 404: error } },
  'POST /api/admin/ingest': { summary: 'Fetch every paper source now', tags: ['Admin'], security: bearer, response: { 202: obj({ queued: { type: 'boolean' } }), 401: error, 503: error } },
  'GET /api/admin/subscribers': { summary: 'Readers by id (keyset: after=id), searched by address and status', tags: ['Admin'], security: bearer, response: { 200: obj({ subscribers: { type: 'array', items: { type: 'object' } }, next: { type: ['integer', 'null'] } }), 400: error, 401: error } },
  'GET /api/admin/subscribers/{id}': { summary: 'A reader and their deliveries', tags: ['Admin'], security: bearer, response: { 200: obj({ subscriber: { type: 'object' }, deliveries: { type: 'array' } }), 400: error, 401: error, 404: error } },
  'GET /api/admin/subscribers.csv': { summary: 'Readers as CSV (the same search)', tags: ['Admin'], security: bearer, response: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, 400: error, 401: error } },
  'POST /api/admin/subscribers/import': {
    summary: 'Import readers from CSV (body text/csv; mode=double-opt-in, or mode=consented with consent=where they consented)',
    tags: ['Admin'],
    security: bearer,
    response: {
      200: obj({ mode: { type: 'string' }, imported: { type: 'integer' }, invited: { type: 'integer' }, skipped: { type: 'array' }, problems: { type: 'array', items: obj({ line: { type: 'integer' }, error: { type: 'string' } }) } }),
      400: error,
      401: error,
      415: error,
    },
  },
  'GET /api/admin/papers': { summary: 'The catalogue, newest first', tags: ['Admin'], security: bearer, response: { 200: { type: 'array', items: obj({ id: { type: 'string' }, title: { type: 'string' } }) }, 401: error } },
  'GET /api/admin/suppressions': { summary: 'Addresses never mailed again, with reason and source', tags: ['Admin'], security: bearer, response: { 200: { type: 'array', items: obj({ email: { type: 'string' }, reason: { type: 'string' }, source: { type: 'string' }, detail: { type: ['string', 'null'] }, createdAt: { type: 'string' } }) }, 401: error } },
  'DELETE /api/admin/suppressions/{email}': { summary: 'Lift a suppression that was a mistake', tags: ['Admin'], security: bearer, response: { 200: obj({ lifted: { type: 'string' } }), 401: error, 404: error } },
  // The admin console: HTML pages and forms for a browser signed in with the admin token. Its forms carry a
  // CSRF token (_csrf) and must come from this site; the JSON admin API above does the same things.
  'GET /admin/sign-in': { summary: 'The console sign-in form', tags: ['Admin console'], response: { 200: page('Sign in'), 303: seeOther } },
  'POST /admin/sign-in': { summary: 'Sign in with the admin token: sets the session cookie (10 tries a minute)', tags: ['Admin console'], body: form({ token: { type: 'string', description: 'ADMIN_TOKEN' } }, ['token']), response: { 303: seeOther, 401: page('Wrong token'), 403: error, 429: error } },
  'POST /admin/sign-out': { summary: 'End the session (its row is deleted: the cookie is worth nothing afterwards)', tags: ['Admin console'], security: session, body: form({}), response: { 303: seeOther, 403: error } },
  'POST /admin/sessions/end-all': { summary: 'End every console session, this one included', tags: ['Admin console'], security: session, body: form({}), response: { 303: seeOther, 403: error } },
  'GET /admin': { summary: 'Overview: readers by status, catalogue size, latest editions', tags: ['Admin console'], security: session, querystring: notice, response: { 200: page('Overview'), 303: seeOther } },
  'GET /admin/editions': { summary: 'Editions, newest first (keyset: before=id)', tags: ['Admin console'], security: session, querystring: qs({ before: { type: 'integer' } }), response: { 200: page('Editions'), 303: seeOther } },
  'POST /admin/editions': { summary: "Send the period's edition now (force=true: an extra one)", tags: ['Admin console'], security: session, body: form({ frequency: { type: 'string', enum: ['daily', 'weekly'] }, force: { type: 'string', enum: ['true', 'false'] } }, ['frequency']), response: { 303: seeOther, 400: error, 403: error } },
  'GET /admin/editions/{id}': { summary: 'An edition: status, pool, counts with a live progress bar, failures grouped by SMTP answer', tags: ['Admin console'], security: session, params: idParam, querystring: notice, response: { 200: page('The edition'), 303: seeOther, 404: error } },
  'GET /admin/editions/{id}/progress': { summary: "An edition's counts, polled by its page's progress bar", tags: ['Admin console'], security: session, params: idParam, response: { 200: editionStats, 303: seeOther, 404: error } },
  'POST /admin/editions/{id}/resume': { summary: 'Resume a paused edition', tags: ['Admin console'], security: session, params: idParam, body: form({}), response: { 303: seeOther, 403: error, 404: error } },
  'POST /admin/editions/{id}/pause': { summary: 'Pause an edition by hand', tags: ['Admin console'], security: session, params: idParam, body: form({}), response: { 303: seeOther, 403: error, 404: error } },
  'POST /admin/editions/{id}/resend-failed': { summary: "Queue an edition's failed rows again", tags: ['Admin console'], security: session, params: idParam, body: form({}), response: { 303: seeOther, 403: error, 404: error } },
  'GET /admin/preview': { summary: 'The next digest (for one reader with email=), as HTML; nothing is stored', tags: ['Admin console'], security: session, querystring: qs({ frequency: { type: 'string', enum: ['daily', 'weekly'] }, email: { type: 'string' } }), response: { 200: page('The digest'), 303: seeOther, 404: error } },
  'GET /admin/subscribers': { summary: 'Readers searched by address and status (keyset: after=id)', tags: ['Admin console'], security: session, querystring: readerSearch, response: { 200: page('Subscribers'), 303: seeOther } },
  'GET /admin/subscribers.csv': { summary: 'Readers as CSV (the same search)', tags: ['Admin console'], security: session, querystring: readerSearch, response: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, 303: seeOther } },
  'GET /admin/subscribers/{id}': { summary: 'A reader: status, preferences, consents and deliveries', tags: ['Admin console'], security: session, params: idParam, response: { 200: page('The subscriber'), 303: seeOther, 404: error } },
  'GET /admin/import': { summary: 'The CSV import form', tags: ['Admin console'], security: session, response: { 200: page('Import'), 303: seeOther } },
  'POST /admin/subscribers/import': {
    summary: 'Import readers from a CSV file (double opt-in, or consent recorded as given); bad rows are reported by line',
    tags: ['Admin console'],
    security: session,
    body: { type: 'object', description: 'multipart/form-data', properties: { file: { type: 'string', format: 'binary' }, mode: { type: 'string', enum: ['double-opt-in', 'consented'] }, consent: { type: 'string' }, _csrf: { type: 'string' } }, required: ['file'] },
    response: { 200: page('The import report'), 400: page('Nothing imported: the reason'), 403: error },
  },
  'GET /admin/suppressions': { summary: 'Suppressed addresses, searched (keyset: before=email)', tags: ['Admin console'], security: session, querystring: qs({ search: { type: 'string' }, before: { type: 'string' }, notice: { type: 'string' } }), response: { 200: page('Suppressions'), 303: seeOther } },
  'POST /admin/suppressions/lift': { summary: 'Lift a suppression', tags: ['Admin console'], security: session, body: form({ email: { type: 'string' } }, ['email']), response: { 303: seeOther, 403: error } },
  'GET /admin/papers': { summary: 'The catalogue: sources and when each paper was first seen', tags: ['Admin console'], security: session, querystring: notice, response: { 200: page('Papers'), 303: seeOther } },
  'POST /admin/ingest': { summary: 'Fetch every paper source now', tags: ['Admin console'], security: session, body: form({}), response: { 303: seeOther, 403: error } },
  'POST /api/webhooks/bounces': {
    summary: 'Bounces and complaints after the SMTP answer (WEBHOOK_SECRET)',
    tags: ['Webhooks'],
    security: [{ webhookSecret: [] }, { basic: [] }],
    body: {
      oneOf: [
        obj({ email: { type: 'string' }, type: { type: 'string', enum: ['hard', 'soft', 'complaint'] }, reason: { type: 'string' } }, ['email', 'type']),
        { type: 'array', items: obj({ email: { type: 'string' }, type: { type: 'string' } }) },
        { description: 'An Amazon SNS envelope (SubscriptionConfirmation or Notification of SES)', type: 'object' },
        { description: 'A Postmark Bounce or SpamComplaint webhook', type: 'object' },
      ],
    },
    response: { 200: obj({ recorded: { type: 'integer' }, outcomes: { type: 'array' }, subscribed: { type: 'boolean' }, ignored: { type: 'string' } }), 400: error, 401: error, 502: error },
  },
};

/** Routes that are not part of the API: scripts, the dev inbox, the description itself, bull-board's UI. */
const INTERNAL = /^\/(assets|dev|docs|openapi\.json|admin\/queues)(\/|$)/;

/** The ROUTE_DOCS key of a route, or null for an internal route or a HEAD that Fastify adds to a GET. */
export function routeDocKey(method: string | string[], url: string): string | null {
  const verb = ([] as string[]).concat(method).find((m) => m !== 'HEAD');
  if (!verb || INTERNAL.test(url)) return null;
  return `${verb} ${url.replace(/:(\w+)/g, '{$1}')}`;
}

/** The routes that would reach /openapi.json without a description; buildApp refuses to start with any. */
export function undocumented(routes: { method: string | string[]; url: string }[]): string[] {
  return routes.flatMap((r) => {
    const key = routeDocKey(r.method, r.url);
    return key && !ROUTE_DOCS[key] ? [key] : [];
  });
}

/** @fastify/swagger's options: OpenAPI 3, each route described from ROUTE_DOCS; internal routes hidden. */
export function openapiOptions(version: string, title: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: { title: `${title} API`, version, description: 'Self-hosted newsletter of trending research papers: the reader pages, the admin console and API, and the webhooks.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN (admin API) or METRICS_TOKEN (/metrics)' },
          webhookSecret: { type: 'apiKey', in: 'header', name: 'X-Webhook-Secret' },
          basic: { type: 'http', scheme: 'basic', description: 'Any user, WEBHOOK_SECRET as the password' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The console session (HttpOnly, SameSite=Strict), set by POST /admin/sign-in' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const key = routeDocKey(route.method, url);
      const doc = key ? ROUTE_DOCS[key] : undefined;
      if (!doc) return { schema: { ...schema, hide: true } as typeof schema, url };
      const { body, querystring, params, response, security, ...rest } = doc;
      return {
        url,
        schema: {
          ...schema,
          ...rest,
          ...(body && !schema?.body ? { body } : {}),
          ...(querystring && !schema?.querystring ? { querystring } : {}),
          ...(params && !schema?.params ? { params } : {}),
          response,
          ...(security ? { security } : {}),
        } as typeof schema,
      };
    },
  };
}
