import { Type } from '@sinclair/typebox';
import { consoleForm, EditionStats, ErrorReply, formText, htmlPage, NoticeQuery, oneOf, ReaderStatus, SEE_OTHER, SESSION, textOf } from '../schemas.js';
import type { RouteSchema } from '../validation.js';
import { IdParams } from './admin-schemas.js';

// The admin console's routes, described once: HTML pages and forms for a browser signed in with the admin
// token. Its forms carry a CSRF token (_csrf, checked before the form is) and must come from this site; the
// JSON admin API does the same things.

const tags = ['Admin console'];
const signedIn = (summary: string, rest: Omit<RouteSchema, 'summary' | 'tags'> = {}): RouteSchema => ({ summary, tags, security: SESSION, ...rest });
const page = (description: string) => ({ 200: htmlPage(description), 303: SEE_OTHER });
const form = { 303: SEE_OTHER, 400: ErrorReply, 403: ErrorReply };
const search = Type.Optional(Type.String({ maxLength: 320 }));
const ReaderSearch = Type.Object({ search, status: Type.Optional(ReaderStatus), after: Type.Optional(Type.Integer({ minimum: 0 })) });
const onEdition = (summary: string) => signedIn(summary, { params: IdParams, body: consoleForm(), response: { ...form, 404: ErrorReply } });

export const CONSOLE_SCHEMAS = {
  signInPage: { summary: 'The console sign-in form', tags, response: page('Sign in') },
  signIn: {
    summary: 'Sign in with the admin token: sets the session cookie (10 tries a minute)',
    tags,
    body: consoleForm({ token: Type.Optional(formText('token', 'ADMIN_TOKEN')) }),
    response: { 303: SEE_OTHER, 400: ErrorReply, 401: htmlPage('Wrong token'), 403: ErrorReply, 429: ErrorReply },
  },
  signOut: signedIn('End the session (its row is deleted: the cookie is worth nothing afterwards)', { body: consoleForm(), response: form }),
  endAll: signedIn('End every console session, this one included', { body: consoleForm(), response: form }),
  overview: signedIn('Overview: readers by status, catalogue size, latest editions', { querystring: NoticeQuery, response: page('Overview') }),
  editions: signedIn('Editions, newest first (keyset: before=id)', { querystring: Type.Object({ before: Type.Optional(Type.Integer({ minimum: 1 })) }), response: page('Editions') }),
  sendNow: signedIn("Send the period's edition now (force=true: an extra one)", {
    body: consoleForm({ frequency: oneOf(['daily', 'weekly'], 'Choose daily or weekly.'), force: Type.Optional(oneOf(['true', 'false'], 'force is "true" or "false".')) }),
    response: form,
  }),
  edition: signedIn('An edition: status, pool, counts with a live progress bar, failures grouped by SMTP answer', { params: IdParams, querystring: NoticeQuery, response: { ...page('The edition'), 404: ErrorReply } }),
  progress: signedIn("An edition's counts, polled by its page's progress bar", { params: IdParams, response: { 200: EditionStats, 303: SEE_OTHER, 404: ErrorReply } }),
  resume: onEdition('Resume a paused edition'),
  pause: onEdition('Pause an edition by hand'),
  resendFailed: onEdition("Queue an edition's failed rows again"),
  preview: signedIn('The next digest (for one reader with email=), as HTML; nothing is stored', {
    querystring: Type.Object({ frequency: Type.Optional(oneOf(['daily', 'weekly'], 'Choose daily or weekly.')), email: Type.Optional(Type.String({ maxLength: 320 })) }),
    response: { ...page('The digest'), 404: ErrorReply },
  }),
  subscribers: signedIn('Readers searched by address and status (keyset: after=id)', { querystring: ReaderSearch, response: page('Subscribers') }),
  subscribersCsv: signedIn('Readers as CSV (the same search)', { querystring: ReaderSearch, response: { 200: textOf('text/csv', 'CSV'), 303: SEE_OTHER } }),
  subscriber: signedIn('A reader: status, preferences, consents and deliveries', { params: IdParams, response: { ...page('The subscriber'), 404: ErrorReply } }),
  importPage: signedIn('The CSV import form', { response: page('Import') }),
  import: signedIn('Import readers from a CSV file (double opt-in, or consent recorded as given); bad rows are reported by line', {
    querystring: Type.Object({ _csrf: Type.Optional(Type.String({ description: "The console page's CSRF token (a multipart form's rides here)" })) }),
    // Read part by part by the route, which says what is missing (the body is not an object before that):
    // the parts are described, and hold for whatever the body is.
    body: {
      content: {
        'multipart/form-data': {
          schema: Type.Unsafe({
            description: 'The form: a CSV file, and the mode',
            properties: {
              file: Type.String({ format: 'binary', description: 'The CSV file' }),
              mode: Type.String({ enum: ['double-opt-in', 'consented'] }),
              consent: Type.String({ description: 'Where these readers consented (consented mode)' }),
            },
          }),
        },
      },
    },
    response: { 200: htmlPage('The import report'), 400: htmlPage('Nothing imported: the reason'), 403: ErrorReply },
  }),
  suppressions: signedIn('Suppressed addresses, searched (keyset: before=email)', {
    querystring: Type.Object({ search, before: Type.Optional(Type.String({ maxLength: 320 })), notice: Type.Optional(Type.String()) }),
    response: page('Suppressions'),
  }),
  lift: signedIn('Lift a suppression', { body: consoleForm({ email: Type.Optional(formText('email', 'The address')) }), response: form }),
  papers: signedIn('The catalogue: sources and when each paper was first seen', { querystring: NoticeQuery, response: page('Papers') }),
  ingest: signedIn('Fetch every paper source now', { body: consoleForm(), response: form }),
} satisfies Record<string, RouteSchema>;
