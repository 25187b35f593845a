import type { FastifyInstance } from 'fastify';
import { parseSignup } from '../../domain/signup.js';
import type { AppDeps } from '../deps.js';
import { html, messagePage } from '../pages/layout.js';
import { signupPage } from '../pages/signup.js';
import { consentOf, rejectUnlessFormOrJson, sendError, sendHtml, wantsJson } from '../respond.js';

const NEUTRAL = 'If this address can subscribe, a confirmation email is on its way. Open the link in it to start receiving digests.';

/** GET / (the form) and POST /subscribe. */
export async function signupRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get('/', async (_req, reply) => sendHtml(reply, signupPage()));

  app.post('/subscribe', async (req, reply) => {
    if (rejectUnlessFormOrJson(req, reply)) return reply;
    const parsed = parseSignup(req.body);
    if (!parsed.ok) {
      if (wantsJson(req)) return sendError(req, reply, 400, parsed.error);
      const b = (req.body ?? {}) as Record<string, unknown>;
      const clean = (v: unknown, max: number) => (typeof v === 'string' ? v.replace(/[\r\n]/g, ' ').slice(0, max) : '');
      return sendHtml(reply, signupPage({ error: parsed.error, email: clean(b.email, 254), topics: clean(b.topics, 1200), frequency: clean(b.frequency, 10) }), 400);
    }
    const outcome = await deps.repos.subscribers.signup({ ...parsed.value, consent: consentOf(req, 'signup-form-v1') });
    // The confirmation is in the outbox already (same transaction as the row): relay it now, never wait for the queue.
    if (outcome.action === 'confirm') deps.mailOwed?.();
    if (wantsJson(req)) return reply.code(202).send({ status: 'pending', message: NEUTRAL });
    return sendHtml(
      reply,
      messagePage('Check your inbox', NEUTRAL, html`<p class="muted">Nothing there after a few minutes? Look in the spam folder, or <a href="/">try again</a>.</p>`),
    );
  });
}
