import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeSchedule } from '../../domain/preferences.js';
import { signupScope, CONFIRM_TTL_SECONDS } from '../../domain/tokens.js';
import type { ResolvedConfig } from '../../config.js';
import type { Tokens } from '../../domain/tokens.js';
import type { Subscriber } from '../../domain/reader.js';
import type { ConsentContext } from '../../domain/signup.js';
import { html, messagePage } from '../pages/layout.js';
import { consentOf, invalidLink, sendError, sendHtml } from '../respond.js';
import { ErrorReply, htmlPage, TokenParams } from '../schemas.js';

type TokenRequest = FastifyRequest<{ Params: { token: string } }>;

/** What the confirmation pages need (bound to the subscribers repository by the runtime). */
export interface ConfirmDeps {
  config: Pick<ResolvedConfig, 'brand'>;
  tokens: Tokens;
  readers: {
    byId(id: number): Promise<Subscriber | null>;
    /** Activates a pending reader by a link for their signup of `signedUpAt`; the status after the call. */
    confirm(id: number, signedUpAt: Date | null, consent: ConsentContext): Promise<{ status: Subscriber['status'] | null; activated: boolean }>;
    /** When the reader signed up before, newest first. */
    signupTimes(id: number): Promise<Date[]>;
  };
  /** Relays the mail the request owes at once (the welcome). */
  mailOwed?: () => void;
}

/**
 * Confirmation in two steps, because mail scanners (Safe Links, Mimecast, Proofpoint) fetch every link in a
 * mail: GET and HEAD /confirm/:token only show a page with one button, and change nothing; the button's POST
 * activates the subscription. A second POST is harmless.
 */
export async function confirmRoutes(app: FastifyInstance, deps: ConfirmDeps) {
  // The token is in the URL: it must not sit in a shared cache (no Referer leaks it: see security-headers.ts).
  const private_ = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  /**
   * The link's reader, when the link is authentic, young enough, and issued for the reader's current signup:
   * a link mailed for an earlier signup (say they left, and someone signed them up again) confirms nothing.
   */
  const verify = async (req: TokenRequest, reply: FastifyReply) => {
    const token = req.params.token;
    const id = deps.tokens.readerOf(token);
    const reader = id === null ? null : await deps.readers.byId(id);
    const scope = signupScope(reader?.consentAt ?? null);
    if (reader && deps.tokens.verify(token, 'confirm', CONFIRM_TTL_SECONDS, scope)) return { id: reader.id, status: reader.status, consentAt: reader.consentAt };
    if (reader && deps.tokens.verify(token, 'confirm', undefined, scope)) {
      await sendError(req, reply, 410, 'This confirmation link has expired. Subscribe again to get a new one.', 'Link expired');
      return null;
    }
    // Authentic, but for an earlier signup of this reader (or from before links named their signup).
    const earlier = id === null ? [] : await deps.readers.signupTimes(id);
    if (id !== null && (deps.tokens.verify(token, 'confirm') || earlier.some((at) => deps.tokens.verify(token, 'confirm', undefined, signupScope(at))))) {
      await sendError(req, reply, 410, 'This link is no longer valid: a newer signup for this address replaced it. Use the link in the newest mail from us, or subscribe again.', 'Link no longer valid');
      return null;
    }
    await invalidLink(req, reply, 'confirmation');
    return null;
  };

  const subscribed = async (reply: FastifyReply, id: number) => {
    const reader = await deps.readers.byId(id);
    if (!reader) return sendHtml(reply, messagePage("You're subscribed", 'A welcome mail is on its way.'));
    const preferences = `/preferences/${deps.tokens.sign(id, 'preferences')}`;
    return sendHtml(
      reply,
      messagePage(
        "You're subscribed",
        html`<p>Your digest arrives <strong>${describeSchedule(reader)}</strong>, starting with the next one. A welcome mail is on its way.</p>
${
  reader.timezoneChosen
    ? html`<p class="muted"><a href="${preferences}">Choose your topics, hour and frequency</a>.</p>`
    : html`<p>We could not tell your time zone (your browser did not say), so we used ${reader.timezone}. <a href="${preferences}">Set your time zone and hour</a>.</p>`
}`,
      ),
    );
  };
  const noLongerPending = (req: TokenRequest, reply: FastifyReply) =>
    sendError(req, reply, 410, 'This link no longer applies to a pending subscription. Subscribe again from the front page.', 'Link no longer valid');

  app.get<{ Params: { token: string } }>('/confirm/:token', { schema: { summary: 'The confirmation page: one button, changes nothing', tags: ['Readers'], params: TokenParams, response: { 200: htmlPage('Confirm, or already subscribed'), 400: ErrorReply, 410: ErrorReply } } }, async (req, reply) => {
    private_(reply);
    const link = await verify(req, reply);
    if (link === null) return reply;
    const { id, status } = link;
    if (status === 'active') return subscribed(reply, id);
    if (status !== 'pending') return noLongerPending(req, reply);
    return sendHtml(
      reply,
      messagePage(
        'Confirm your subscription',
        html`<p>One more step: confirm that you want the ${deps.config.brand.name} digest of trending research papers at this address.</p>
<form method="post" action="/confirm/${req.params.token}"><button type="submit">Yes, subscribe me</button></form>
<p class="muted">Did not ask for this? Close this page: nothing happens, and we will not write again.</p>`,
      ),
    );
  });

  app.post<{ Params: { token: string } }>('/confirm/:token', { schema: { summary: 'Confirm the subscription', tags: ['Readers'], params: TokenParams, response: { 200: htmlPage("You're subscribed"), 400: ErrorReply, 410: ErrorReply } } }, async (req, reply) => {
    private_(reply);
    const link = await verify(req, reply);
    if (link === null) return reply;
    const { status, activated } = await deps.readers.confirm(link.id, link.consentAt, consentOf(req, 'confirm-button-v1'));
    if (activated) deps.mailOwed?.();
    return status === 'active' ? subscribed(reply, link.id) : noLongerPending(req, reply);
  });
}
