import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppDeps } from '../deps.js';
import { html, messagePage } from '../pages/layout.js';
import { dataLinkForm } from '../pages/preferences.js';
import { signupForm } from '../pages/signup.js';
import { sendError, sendHtml } from '../respond.js';

/**
 * GET shows a confirmation button and changes nothing (mail scanners prefetch links).
 * POST unsubscribes at once: the button, and RFC 8058 one-click POSTs from mail providers.
 */
export async function unsubscribeRoutes(app: FastifyInstance, deps: AppDeps) {
  // RFC 8058 allows multipart/form-data bodies; only a few small fields are read.
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fields: 10, fieldSize: 1024, files: 0, parts: 10 } });
  // A multipart body needs a boundary to be read at all; an empty one is not a form anybody sent.
  app.addHook('preValidation', async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '');
    if (/^multipart\//i.test(type) && !/;\s*boundary=("?)[^";\s]+\1/i.test(type))
      return sendError(req, reply, 400, 'The form data could not be read: it has no multipart boundary.');
  });

  app.get<{ Params: { token: string } }>('/unsubscribe/:token', async (req, reply) => {
    if (!deps.tokens.verify(req.params.token, 'unsubscribe'))
      return sendError(req, reply, 400, 'This unsubscribe link is not valid. Check that you copied all of it.', 'Invalid link');
    return sendHtml(
      reply,
      messagePage(
        'Unsubscribe?',
        'You will receive no more digests at this address.',
        html`<form method="post" action="/unsubscribe/${req.params.token}"><button type="submit">Unsubscribe</button></form>
${dataLinkForm(`/unsubscribe/${req.params.token}/data-link`)}`,
      ),
    );
  });

  app.post<{ Params: { token: string } }>('/unsubscribe/:token', async (req, reply) => {
    const valid = deps.tokens.verify(req.params.token, 'unsubscribe');
    if (!valid) return sendError(req, reply, 400, 'This unsubscribe link is not valid. Check that you copied all of it.', 'Invalid link');
    const subscriber = await deps.repos.subscribers.unsubscribe(valid.subscriberId);
    return sendHtml(
      reply,
      messagePage(
        "You're unsubscribed",
        'No more digests will be sent to this address. Changed your mind?',
        html`${signupForm({ email: subscriber?.email, frequency: subscriber?.frequency, compact: true, guard: await deps.guard.fields() })}
${subscriber ? dataLinkForm(`/unsubscribe/${req.params.token}/data-link`) : ''}`,
      ),
    );
  });
}
