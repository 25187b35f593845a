import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTimeZone } from '../../domain/checks.js';
import { signupOf, SignupBody, type SignupFields } from '../../domain/signup.js';
import { ipForLog } from '../../domain/redact.js';
import type { ResolvedConfig } from '../../config.js';
import type { Signup, SignupOutcome } from '../../domain/signup.js';
import type { SignupGuard } from '../signup-guard.js';
import { html, messagePage } from '../pages/layout.js';
import { signupPage } from '../pages/signup.js';
import { consentOf, rejectUnlessFormOrJson, sendError, sendHtml, wantsJson } from '../respond.js';
import { Accepted, ErrorReply, htmlPage } from '../schemas.js';
import { validationMessage, type RouteSchema } from '../validation.js';

const NEUTRAL = 'If this address can subscribe, a confirmation email is on its way. Open the link in it to start receiving digests.';

/** What the signup form needs (the store bound to the subscribers repository by the runtime). */
export interface SignupDeps {
  config: Pick<ResolvedConfig, 'signup' | 'queuePrefix' | 'privacy' | 'digest' | 'brand'>;
  /** Stores a signup, with the confirmation it owes, or says why nothing was owed. */
  signup(input: Signup): Promise<SignupOutcome>;
  /** Confirmation mails per inbox per day. */
  mailbox: MailboxThrottle;
  /** Honeypot, minimum fill time and the optional proof-of-work of the form. */
  guard: SignupGuard;
  mailOwed?: () => void;
}

/** Counts confirmation mails per inbox; a signup past the count stores nothing and mails nothing. */
interface MailboxThrottle {
  /** Takes one of the inbox's mails for today; false when it has none left. */
  take(email: string): Promise<boolean>;
  /** Gives a taken mail back (the signup owed no mail after all: the reader was already active). */
  refund(email: string): Promise<void>;
}

/** GET / (the form) and POST /subscribe, behind per-IP limits, the form's bot guard and a per-inbox throttle. */
export async function signupRoutes(app: FastifyInstance, deps: SignupDeps) {
  const { signup } = deps.config;
  const tooMany = (_req: FastifyRequest, context: { after: string }) => ({
    statusCode: 429,
    code: 'SIGNUP_RATE_LIMITED',
    message: `Too many signups from your network in a short time. Please wait ${context.after} and try again.`,
  });
  const perIp = [
    app.rateLimit({ max: signup.perMinute, timeWindow: 60_000, groupId: 'signup-minute', errorResponseBuilder: tooMany }),
    app.rateLimit({ max: signup.perHour, timeWindow: 3_600_000, groupId: 'signup-hour', errorResponseBuilder: tooMany }),
  ];

  const form = async (reply: FastifyReply, opts: Parameters<typeof signupPage>[0] = {}, status = 200) =>
    sendHtml(reply, signupPage({ ...opts, guard: await deps.guard.fields() }), status);
  const neutral = (req: FastifyRequest, reply: FastifyReply, email: string) => {
    if (wantsJson(req)) return reply.code(202).send({ status: 'pending', message: NEUTRAL });
    // The address as typed, so that a typo can be spotted (the answer is the same whatever became of it).
    return sendHtml(
      reply,
      messagePage(
        'Check your inbox',
        NEUTRAL,
        html`<p>Address: <strong>${email}</strong></p><p class="muted">A typo, or nothing there after a few minutes? Look in the spam folder, or <a href="/">try again</a>.</p>`,
      ),
    );
  };

  app.get('/', { schema: { summary: 'The signup form', tags: ['Readers'], response: { 200: htmlPage('The signup page') } } }, async (_req, reply) => form(reply));

  const schema: RouteSchema = {
    summary: 'Subscribe (form or JSON); a confirmation mail follows',
    tags: ['Readers'],
    body: SignupBody,
    response: {
      200: htmlPage('"Check your inbox" (form posts): the same for new, pending and active addresses'),
      202: Accepted,
      400: ErrorReply,
      415: ErrorReply,
      429: { ...ErrorReply, description: 'Too many signups from this IP; see Retry-After' },
    },
  };
  // The form's zone comes from the browser, in a field nobody sees: one this server does not know is
  // dropped (DIGEST_TZ, said on the confirmation page), never held against the person. JSON is held to it.
  const dropUnknownZone = async (req: FastifyRequest) => {
    const b = req.body as Record<string, unknown> | undefined;
    if (b && !wantsJson(req) && typeof b.timezone === 'string' && b.timezone && !isTimeZone(b.timezone)) delete b.timezone;
  };
  // Validation is attached, not answered: a form gets itself back with the message and what was typed.
  app.post('/subscribe', { schema, attachValidation: true, onRequest: perIp, preValidation: dropUnknownZone }, async (req, reply) => {
    if (rejectUnlessFormOrJson(req, reply)) return reply;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const clean = (v: unknown, max: number) => (typeof v === 'string' ? v.replace(/[\r\n]/g, ' ').slice(0, max) : '');
    const again = (error: string, status = 400) =>
      form(reply, { error, email: clean(b.email, 254), topics: clean(b.topics, 1200), frequency: clean(b.frequency, 10) }, status);
    if (req.validationError) {
      const error = validationMessage(req.validationError);
      return wantsJson(req) ? sendError(req, reply, 400, error) : again(error);
    }
    const given = signupOf(req.body as SignupFields);

    const verdict = await deps.guard.judge(b);
    if (verdict === 'bot') {
      req.log.info({ ip: ipForLog(req.ip, deps.config.privacy.logIp) }, 'signup taken for a bot (honeypot, forged stamp or too fast): no mail');
      return neutral(req, reply, given.email);
    }
    if (verdict === 'stale') return again('This form was open for a long time. Please press Subscribe again.', 200);
    if (verdict === 'needs-pow') {
      const message = 'Your browser must finish a short automatic check before subscribing. Please make sure JavaScript is on, wait a moment and try again.';
      return wantsJson(req) ? sendError(req, reply, 400, message) : again(message);
    }

    const { email } = given;
    // Per inbox, plus-tags and case folded: a flood of flood+N@victim.example is one inbox's few mails.
    if (!(await deps.mailbox.take(email))) {
      req.log.info({ ip: ipForLog(req.ip, deps.config.privacy.logIp) }, 'signup throttled: this inbox had its confirmation mails for today');
      return neutral(req, reply, email);
    }
    const outcome = await deps.signup({
      ...given,
      // The form's script sends the browser's zone; without it (no JavaScript) DIGEST_TZ, which the
      // confirmation page states, with a link to change it.
      timezone: given.timezone ?? deps.config.digest.tz,
      timezoneChosen: given.timezone !== undefined,
      consent: consentOf(req, 'signup-form-v1'),
    });
    if (outcome.action === 'confirm') {
      // The confirmation is in the outbox already (same transaction as the row): relay it now, never wait for the queue.
      deps.mailOwed?.();
    } else {
      await deps.mailbox.refund(email);
    }
    return neutral(req, reply, email);
  });
}
