import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from '../../config.js';
import type { Tokens } from '../../domain/tokens.js';
import type { Subscriber } from '../../domain/reader.js';
import type { SignupGuard } from '../signup-guard.js';
import { html, messagePage } from '../pages/layout.js';
import { dataLinkForm } from '../pages/preferences.js';
import { signupForm } from '../pages/signup.js';
import { invalidLink, sendError, sendHtml } from '../respond.js';
import { ErrorReply, htmlPage, TokenParams } from '../schemas.js';

/** What the unsubscribe pages need. */
export interface UnsubscribeDeps {
  config: Pick<ResolvedConfig, 'brand'>;
  tokens: Tokens;
  /** The signup form's bot-guard fields, for "subscribe again". */
  guard: Pick<SignupGuard, 'fields'>;
  readers: {
    byId(id: number): Promise<Subscriber | null>;
    /** Unsubscribes at once (idempotent); the reader after it, or null when unknown. */
    unsubscribe(id: number): Promise<Subscriber | null>;
  };
}

/**
 * GET shows a confirmation button and changes nothing (mail scanners prefetch links).
 * POST unsubscribes at once: the button, and RFC 8058 one-click POSTs from mail providers.
 */
export async function unsubscribeRoutes(app: FastifyInstance, deps: UnsubscribeDeps) {
  // A multipart body needs a boundary to be read at all; an empty one is not a form anybody sent.
  app.addHook('preValidation', async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '');
    if (/^multipart\//i.test(type) && !/;\s*boundary=("?)[^";\s]+\1/i.test(type))
      return sendError(req, reply, 400, 'The form data could not be read: it has no multipart boundary.');
  });

  /** "You're unsubscribed": the way back (with the reader's topics kept) and to their data. */
  const unsubscribed = async (token: string, subscriber: Subscriber | null) =>
    messagePage(
      "You're unsubscribed",
      subscriber
        ? html`<p>No more ${deps.config.brand.name} digests will be sent to <strong>${subscriber.email}</strong>. Changed your mind?</p>`
        : html`<p>No more digests will be sent to this address.</p>`,
      html`${signupForm({ email: subscriber?.email, frequency: subscriber?.frequency === 'weekly' ? 'weekly' : 'daily', topics: subscriber?.topics.join(', '), compact: true, guard: await deps.guard.fields() })}
${subscriber ? dataLinkForm(`/unsubscribe/${token}/data-link`) : ''}`,
    );

  app.get<{ Params: { token: string } }>('/unsubscribe/:token', { schema: { summary: 'The unsubscribe page: one button, changes nothing', tags: ['Readers'], params: TokenParams, response: { 200: htmlPage('Unsubscribe?'), 400: ErrorReply } } }, async (req, reply) => {
    const valid = deps.tokens.verify(req.params.token, 'unsubscribe');
    if (!valid) return invalidLink(req, reply, 'unsubscribe');
    const subscriber = await deps.readers.byId(valid.subscriberId);
    // Someone who already left is told so, not asked again.
    if (!subscriber || subscriber.status === 'unsubscribed') return sendHtml(reply, await unsubscribed(req.params.token, subscriber));
    const list = subscriber.frequency === 'weekly' ? 'weekly' : subscriber.frequency === 'paused' ? 'paused' : 'daily';
    const preferences = `/preferences/${deps.tokens.sign(subscriber.id, 'preferences')}`;
    return sendHtml(
      reply,
      messagePage(
        'Unsubscribe?',
        html`<p><strong>${subscriber.email}</strong> will receive no more ${deps.config.brand.name} digests (${list}).</p>`,
        html`<form method="post" action="/unsubscribe/${req.params.token}"><button type="submit">Unsubscribe</button></form>
<p class="muted">Too many mails? <a href="${preferences}">Pause, or switch to weekly instead</a>, and choose your topics.</p>
${dataLinkForm(`/unsubscribe/${req.params.token}/data-link`)}`,
      ),
    );
  });

  app.post<{ Params: { token: string } }>('/unsubscribe/:token', { schema: { summary: 'Unsubscribe at once (the button, or an RFC 8058 one-click POST, form or multipart)', tags: ['Readers'], params: TokenParams, response: { 200: htmlPage("You're unsubscribed"), 400: ErrorReply } } }, async (req, reply) => {
    const valid = deps.tokens.verify(req.params.token, 'unsubscribe');
    if (!valid) return invalidLink(req, reply, 'unsubscribe');
    // RFC 8058 allows a multipart/form-data body: it is read to its end, a few small fields and no file, so
    // that a broken one is refused (400) rather than taken for a click.
    if (req.isMultipart()) for await (const _part of req.parts({ limits: { fields: 10, fieldSize: 1024, files: 0, parts: 10 } }));
    const subscriber = await deps.readers.unsubscribe(valid.subscriberId);
    return sendHtml(reply, await unsubscribed(req.params.token, subscriber));
  });
}
