import type { FastifyInstance } from 'fastify';
import { CONFIRM_TTL_SECONDS } from '../../jobs/send-transactional.js';
import type { AppDeps } from '../deps.js';
import { html, messagePage } from '../pages/layout.js';
import { consentOf, sendError, sendHtml } from '../respond.js';

/** GET /confirm/:token activates a pending subscriber; a second visit changes nothing. */
export async function confirmRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Params: { token: string } }>('/confirm/:token', async (req, reply) => {
    const { token } = req.params;
    const valid = deps.tokens.verify(token, 'confirm', CONFIRM_TTL_SECONDS);
    if (!valid) {
      const expired = deps.tokens.verify(token, 'confirm') !== null;
      return expired
        ? sendError(req, reply, 410, 'This confirmation link has expired. Subscribe again to get a new one.', 'Link expired')
        : sendError(req, reply, 400, 'This confirmation link is not valid. Check that you copied all of it.', 'Invalid link');
    }
    const { status, activated } = await deps.repos.subscribers.confirm(valid.subscriberId, consentOf(req, 'confirm-link-v1'));
    if (activated) deps.mailOwed?.();
    if (status === 'active') {
      const when = deps.config.digest.cron;
      return sendHtml(
        reply,
        messagePage(
          "You're subscribed",
          html`<p>Your first digest arrives with the next edition. A welcome mail is on its way with a link to choose your topics, hour and frequency.</p><p class="muted">Editions are built daily <code>${when.daily}</code> and weekly <code>${when.weekly}</code> (${deps.config.digest.tz}).</p>`,
        ),
      );
    }
    return sendError(req, reply, 410, 'This link no longer applies to a pending subscription. Subscribe again from the front page.', 'Link no longer valid');
  });
}
