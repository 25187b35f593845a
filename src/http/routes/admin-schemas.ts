import { Type } from '@sinclair/typebox';
import { BEARER, EditionStats, Engagement, ErrorReply, htmlPage, Ledger, NullableDate, NullableInteger, NullableString, ReaderStatus, textOf } from '../schemas.js';
import type { RouteSchema } from '../validation.js';

// The admin API's routes, described once: Fastify validates with these and /openapi.json shows them.

const tags = ['Admin'];
const admin = (summary: string, rest: Omit<RouteSchema, 'summary' | 'tags'>): RouteSchema => ({ summary, tags, security: BEARER, ...rest });
const Frequency = Type.Union([Type.Literal('daily'), Type.Literal('weekly')]);
const limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 }));
const search = Type.Optional(Type.String({ maxLength: 320 }));
const Started = Type.Object({ id: Type.Integer(), created: Type.Boolean(), period: Type.String(), queued: Type.Boolean() });
/** Ids are bigint in Postgres: only plain decimal digits up to 2^53 are ours (matched as text: a number schema would coerce "1e309"). */
export const IdParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'The id' }) });
const Edition = Type.Composite([EditionStats, Type.Object({ queued: Type.Optional(Type.Boolean()) })], { additionalProperties: true });
const unauthorized = { 401: ErrorReply, 429: ErrorReply };
const CsvBody = Type.String({ description: 'A header line naming at least "email" (also frequency, topics, send_hour, send_day, timezone), then a reader per line' });
const Reader = Type.Object({}, { additionalProperties: true, description: 'A reader: address, status, schedule, topics, consent' });

export const ADMIN_SCHEMAS = {
  sendNow: admin("Send the period's edition now (or a forced extra one)", {
    body: Type.Object({ frequency: Frequency, force: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    response: { 200: Started, 201: Started, 400: ErrorReply, ...unauthorized },
  }),
  editions: admin('Editions, newest first, with their counts (keyset: before=id)', {
    querystring: Type.Object({ limit, before: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
    response: { 200: Type.Array(EditionStats), 400: ErrorReply, ...unauthorized },
  }),
  preview: admin('The next digest (for one reader with email=), as HTML; nothing is stored', {
    querystring: Type.Object({ frequency: Type.Optional(Frequency), email: Type.Optional(Type.String({ maxLength: 320 })) }, { additionalProperties: false }),
    response: { 200: htmlPage('The digest'), 400: ErrorReply, 404: ErrorReply, ...unauthorized },
  }),
  ingest: admin('Fetch every paper source now', { response: { 202: Type.Object({ queued: Type.Boolean() }), 503: ErrorReply, ...unauthorized } }),
  overview: admin('Readers by status, the catalogue size and the latest editions', {
    response: { 200: Type.Object({ subscribers: Type.Record(Type.String(), Type.Integer()), papers: Type.Integer(), editions: Type.Array(EditionStats) }), ...unauthorized },
  }),
  subscribers: admin('Readers by id (keyset: after=id), searched by address and status', {
    querystring: Type.Object({ limit, after: Type.Optional(Type.Integer({ minimum: 0 })), search, status: Type.Optional(ReaderStatus) }, { additionalProperties: false }),
    response: { 200: Type.Object({ subscribers: Type.Array(Reader), next: NullableInteger }), 400: ErrorReply, ...unauthorized },
  }),
  subscribersCsv: admin('Readers as CSV (the same search)', {
    querystring: Type.Object({ search, status: Type.Optional(ReaderStatus) }, { additionalProperties: false }),
    response: { 200: textOf('text/csv', 'CSV'), 400: ErrorReply, ...unauthorized },
  }),
  import: admin('Import readers from CSV (body text/csv; mode=double-opt-in, or mode=consented with consent=where they consented)', {
    querystring: Type.Object(
      { mode: Type.Union([Type.Literal('double-opt-in'), Type.Literal('consented')]), consent: Type.Optional(Type.String({ maxLength: 400 })) },
      { additionalProperties: false },
    ),
    // Only a CSV body is described (and checked); any other type is refused with 415 by the route.
    body: { content: { 'text/csv': { schema: CsvBody }, 'text/plain': { schema: CsvBody } } },
    response: {
      200: Type.Object({
        mode: Type.String(),
        imported: Type.Integer(),
        invited: Type.Integer(),
        skipped: Type.Array(Type.Object({ line: Type.Integer(), email: Type.String(), reason: Type.String() })),
        problems: Type.Array(Type.Object({ line: Type.Integer(), error: Type.String() })),
      }),
      400: ErrorReply,
      415: ErrorReply,
      ...unauthorized,
    },
  }),
  papers: admin('The catalogue, newest first', {
    querystring: Type.Object({ limit, since: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
    response: { 200: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), publishedAt: NullableDate, firstSeenAt: NullableDate }, { additionalProperties: true })), 400: ErrorReply, ...unauthorized },
  }),
  edition: admin(
    "An edition's status and counts, its ledger (target = sent + failed + skipped + suppressed + unsubscribed + erased + open; missing: targets without a row) and, paused, when the breaker next probes",
    {
      params: IdParams,
      response: {
        200: Type.Composite([EditionStats, Type.Object({ pauseKind: NullableString, nextProbeAt: NullableDate, ledger: Ledger, failures: Type.Array(Type.Object({ answer: Type.String(), count: Type.Integer(), example: Type.String() })), engagement: Engagement })], {
          additionalProperties: true,
        }),
        400: ErrorReply,
        404: ErrorReply,
        ...unauthorized,
      },
    },
  ),
  pause: admin('Pause an edition by hand (only a resume by hand starts it again)', { params: IdParams, response: { 200: Edition, 400: ErrorReply, 404: ErrorReply, 409: ErrorReply, ...unauthorized } }),
  resendFailed: admin("Queue an edition's failed rows again, for readers who may be mailed now", {
    params: IdParams,
    response: { 200: Type.Composite([EditionStats, Type.Object({ requeued: Type.Integer(), queued: Type.Boolean() })], { additionalProperties: true }), 400: ErrorReply, 404: ErrorReply, ...unauthorized },
  }),
  subscriber: admin('A reader and their deliveries', {
    params: IdParams,
    response: { 200: Type.Object({ subscriber: Reader, deliveries: Type.Array(Type.Object({}, { additionalProperties: true })) }), 400: ErrorReply, 404: ErrorReply, ...unauthorized },
  }),
  resume: admin('Resume a paused edition', { params: IdParams, response: { 200: Edition, 400: ErrorReply, 404: ErrorReply, 409: ErrorReply, ...unauthorized } }),
  suppressions: admin('Addresses never mailed again, with reason and source (keyset: before=email)', {
    querystring: Type.Object({ limit, before: Type.Optional(Type.String({ maxLength: 320 })), search }, { additionalProperties: false }),
    response: {
      200: Type.Array(Type.Object({ email: Type.String(), reason: Type.String(), source: Type.String(), detail: NullableString, createdAt: Type.String({ format: 'date-time' }) }, { additionalProperties: true })),
      400: ErrorReply,
      ...unauthorized,
    },
  }),
  lift: admin('Lift a suppression that was a mistake', {
    params: Type.Object({ email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' }) }),
    response: { 200: Type.Object({ lifted: Type.String() }), 400: ErrorReply, 404: ErrorReply, ...unauthorized },
  }),
} satisfies Record<string, RouteSchema>;
