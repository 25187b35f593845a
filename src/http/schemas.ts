import { Type, type TSchema } from '@sinclair/typebox';
import { textField } from '../domain/signup.js';

// The pieces route schemas share. A route's schema is the one description of its requests and answers:
// Fastify validates requests with it (http/validation.ts) and /openapi.json is generated from it.

const nullable = <T extends TSchema>(t: T) => Type.Unsafe<T['static'] | null>({ ...t, nullable: true });
export const NullableString = nullable(Type.String());
export const NullableInteger = nullable(Type.Integer());
export const NullableDate = nullable(Type.String({ format: 'date-time' }));

/** An error: `{error, statusCode}` for JSON clients; browsers get the same message as a page. */
export const ErrorReply = Type.Object({ error: Type.String(), statusCode: Type.Integer() }, { description: 'A clear message (JSON clients; browsers get it as a page)' });

/** An HTML page answer. */
export const htmlPage = (description: string) => ({ description, content: { 'text/html': { schema: Type.String() } } });
/** A text answer of another type (CSV, RSS, BibTeX …). */
export const textOf = (type: string, description: string) => ({ description, content: { [type]: { schema: Type.String() } } });
export const SEE_OTHER = { description: 'See other: the next page (or the sign-in page without a session)' };

/** A link token from a mail: id.issued.mac (checked by the route, which says which link is not valid). */
export const TokenParams = Type.Object({ token: Type.String({ description: 'The link token from a mail: id.issued.mac', maxLength: 200 }) });
export const FeedbackParams = Type.Object({
  paper: Type.String({ description: 'The paper id, e.g. 2511.12345', maxLength: 200 }),
  token: Type.String({ description: 'The link token, signed for the reader and the paper', maxLength: 200 }),
});

export const Accepted = Type.Object({ status: Type.String(), message: Type.String() }, { description: 'Accepted: the same answer whatever the address' });

export const BEARER = [{ bearer: [] as string[] }];
export const SESSION = [{ session: [] as string[] }];

/** A console form (application/x-www-form-urlencoded) with its CSRF token. */
export const consoleForm = (properties: Record<string, TSchema> = {}) =>
  Type.Object({ ...properties, _csrf: Type.String({ description: "The console page's CSRF token" }) }, { additionalProperties: true, description: 'application/x-www-form-urlencoded' });

/** The console's one-time message after a form. */
export const NoticeQuery = Type.Object({ notice: Type.Optional(Type.String({ description: 'A message shown once after a form' })) });

const READER_STATUSES = ['pending', 'active', 'unsubscribed', 'suppressed'] as const;
export const ReaderStatus = Type.Union(READER_STATUSES.map((s) => Type.Literal(s)));

export const EditionStats = Type.Object(
  {
    id: Type.Integer(),
    frequency: Type.String(),
    period: Type.String(),
    status: Type.Union(['pending', 'assigning', 'sending', 'sent', 'paused', 'empty'].map((s) => Type.Literal(s))),
    recipients: Type.Integer(),
    queued: Type.Integer(),
    sending: Type.Integer(),
    sent: Type.Integer(),
    failed: Type.Integer(),
    skipped: Type.Integer(),
    complaints: Type.Optional(Type.Integer({ description: 'Complaints tied to this edition (one edition only); the complaint guard pauses past COMPLAINT_PAUSE_RATE of sent' })),
    renders: Type.Integer(),
    papers: Type.Array(Type.String()),
    note: NullableString,
    pausedReason: NullableString,
  },
  { additionalProperties: true },
);

/** What an edition's readers did about it: persons' POSTs only (docs/deliverability.md). */
export const Engagement = Type.Object(
  {
    readers: Type.Integer({ description: 'Readers who chose on one of its papers after it was sent' }),
    papers: Type.Array(Type.Object({ paperId: Type.String(), title: Type.String(), chosen: Type.Integer() }), { description: 'The papers chosen most ("more like this"), at most 5' }),
  },
  { description: 'Aggregates only, from what a person does; no pixel, no link fetch' },
);

export const Ledger = Type.Object(
  {
    target: Type.Integer(),
    sent: Type.Integer(),
    failed: Type.Integer(),
    skipped: Type.Integer(),
    suppressed: Type.Integer(),
    unsubscribed: Type.Integer(),
    erased: Type.Integer(),
    open: Type.Integer(),
    missing: Type.Integer(),
    missingIds: Type.Array(Type.Integer()),
    balanced: Type.Boolean(),
  },
  { additionalProperties: true },
);

/** A reader's preferences as the preference center shows them (JSON). */
export const PreferencesView = Type.Object(
  {
    email: Type.String(),
    frequency: Type.String(),
    topics: Type.Array(Type.String()),
    max_papers: NullableInteger,
    timezone: Type.String(),
    send_hour: Type.Integer(),
    send_day: Type.Integer(),
    next_send_at: NullableDate,
    schedule: Type.String({ description: 'The schedule in words' }),
    status: Type.String(),
  },
  { additionalProperties: true },
);

/** A console form field of free text on one line. */
export const formText = (field: string, description: string) => textField(field, 'text', description);

/** A reader's data as the export gives it (a JSON attachment). */
export const DataExport = Type.Object(
  {
    exportedAt: Type.String({ format: 'date-time' }),
    subscriber: Type.Object({}, { additionalProperties: true }),
    consents: Type.Array(Type.Object({}, { additionalProperties: true })),
    deliveries: Type.Array(Type.Object({}, { additionalProperties: true })),
    feedback: Type.Array(Type.Object({}, { additionalProperties: true })),
    bounces: Type.Array(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true, description: 'A JSON attachment' },
);

/** One of a few words, with the message a person is shown for anything else. */
export const oneOf = <const T extends readonly string[]>(values: T, message: string, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}), 'x-messages': { type: message, enum: message } });

/** A paper as a feedback link shows it (JSON), with the reader's choice now. */
export const FeedbackView = Type.Object({ paper: Type.Object({ id: Type.String(), title: Type.String() }), choice: nullable(Type.String()) }, { additionalProperties: true });
