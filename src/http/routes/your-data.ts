import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type TokenPurpose, DATA_LINK_TTL_SECONDS } from '../../domain/tokens.js';
import type { ResolvedConfig } from '../../config.js';
import type { Tokens } from '../../domain/tokens.js';
import type { Subscriber } from '../../domain/reader.js';
import { html, messagePage } from '../pages/layout.js';
import { invalidLink, sendError, sendHtml, wantsJson } from '../respond.js';
import { Accepted, DataExport, ErrorReply, htmlPage, TokenParams } from '../schemas.js';

type TokenRequest = FastifyRequest<{ Params: { token: string } }>;

/** What the data pages (download, erase) need. */
export interface YourDataDeps {
  config: Pick<ResolvedConfig, 'brand'>;
  tokens: Tokens;
  readers: {
    byId(id: number): Promise<Subscriber | null>;
    /** Everything stored about a reader, or null when unknown. */
    export(id: number): Promise<Record<string, unknown> | null>;
    /** Erases a reader for good; false when unknown. */
    erase(id: number): Promise<boolean>;
    /** Owes the reader a mail with a fresh data link; false when they may not get one. */
    oweDataLink(id: number): Promise<boolean>;
  };
  /** At most three data links per reader an hour. */
  dataLinks: { take(key: string): Promise<boolean> };
  mailOwed?: () => void;
}

/**
 * A reader's data (GDPR Art. 15 and 17) behind a fresh link only: the preferences and unsubscribe pages
 * (whose links sit in every old, possibly forwarded, digest) can only ask for a link, which is mailed to
 * the address itself and works for an hour. Its page offers the download, and erasing takes a second page.
 * GET never changes anything.
 */
export async function yourDataRoutes(app: FastifyInstance, deps: YourDataDeps) {
  const privateAnswer = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  // Asking for the link: from the preferences page, or the unsubscribe page (a reader who left still has data here).
  const ask = (purpose: TokenPurpose) => async (req: TokenRequest, reply: FastifyReply) => {
    const valid = deps.tokens.verify(req.params.token, purpose);
    if (!valid) return invalidLink(req, reply, 'data');
    // At most a few per hour per reader; the answer is the same either way, and the mail goes only to the address itself.
    if (await deps.dataLinks.take(`data|${valid.subscriberId}`)) {
      if (await deps.readers.oweDataLink(valid.subscriberId)) deps.mailOwed?.();
    }
    const message = 'If this address is still with us, an email with a link to download or erase your data is on its way. The link works for one hour.';
    if (wantsJson(req)) return reply.code(202).send({ status: 'sent', message });
    return sendHtml(reply, messagePage('Check your inbox', message));
  };
  app.post<{ Params: { token: string } }>('/preferences/:token/data-link', { schema: { summary: 'Mail the address a link to its data (valid one hour)', tags: ['Your data'], params: TokenParams, response: { 200: htmlPage('Check your inbox'), 202: Accepted, 400: ErrorReply } } }, ask('preferences'));
  app.post<{ Params: { token: string } }>('/unsubscribe/:token/data-link', { schema: { summary: 'The same, for a reader who left', tags: ['Your data'], params: TokenParams, response: { 200: htmlPage('Check your inbox'), 202: Accepted, 400: ErrorReply } } }, ask('unsubscribe'));

  /** The reader behind a fresh data link, or null once an answer was sent. */
  const reader = async (req: TokenRequest, reply: FastifyReply) => {
    privateAnswer(reply);
    const valid = deps.tokens.verify(req.params.token, 'data', DATA_LINK_TTL_SECONDS);
    if (!valid) {
      const expired = deps.tokens.verify(req.params.token, 'data') !== null;
      await (expired
        ? sendError(req, reply, 410, 'Links to your data work for one hour, and this one has expired. Ask for a new one from your preferences page or an unsubscribe link.', 'Link expired')
        : invalidLink(req, reply, 'data'));
      return null;
    }
    const subscriber = await deps.readers.byId(valid.subscriberId);
    if (!subscriber) {
      await sendError(req, reply, 404, 'Nothing is stored behind this link any more.', 'Nothing stored');
      return null;
    }
    return subscriber;
  };

  app.get<{ Params: { token: string } }>('/data/:token', { schema: { summary: 'The mailed data page', tags: ['Your data'], params: TokenParams, response: { 200: htmlPage('Your data'), 400: ErrorReply, 404: ErrorReply, 410: ErrorReply } } }, async (req, reply) => {
    const r = await reader(req, reply);
    if (!r) return reply;
    const base = `/data/${req.params.token}`;
    return sendHtml(
      reply,
      messagePage(
        'Your data',
        html`<p>For ${r.email}. This page works for an hour after we sent the link.</p>
<p><a href="${base}/export">Download everything we store about you</a> (JSON): your address and settings, your consents with where they were given, and every digest we sent you.</p>
<h2>Erase</h2>
<p>Erasing removes your address, your settings and your delivery history for good.</p>
<p><a href="${base}/erase">Erase my data…</a></p>`,
      ),
    );
  });

  app.get<{ Params: { token: string } }>('/data/:token/export', { schema: { summary: 'Everything stored about the reader (GDPR Art. 15)', tags: ['Your data'], params: TokenParams, response: { 200: DataExport, 400: ErrorReply, 404: ErrorReply, 410: ErrorReply } } }, async (req, reply) => {
    const r = await reader(req, reply);
    if (!r) return reply;
    const data = await deps.readers.export(r.id);
    if (!data) return sendError(req, reply, 404, 'Nothing is stored behind this link any more.', 'Nothing stored');
    return reply.header('content-disposition', `attachment; filename="${deps.config.brand.slug}-data.json"`).send({ exportedAt: new Date().toISOString(), ...data });
  });

  app.get<{ Params: { token: string } }>('/data/:token/erase', { schema: { summary: 'Asks "erase everything?"; changes nothing', tags: ['Your data'], params: TokenParams, response: { 200: htmlPage('Erase your data?'), 400: ErrorReply, 404: ErrorReply, 410: ErrorReply } } }, async (req, reply) => {
    const r = await reader(req, reply);
    if (!r) return reply;
    return sendHtml(
      reply,
      messagePage(
        'Erase your data?',
        html`<p>This removes ${r.email}, your settings and your delivery history for good. You will receive nothing more, and it cannot be undone.</p>
<form method="post" action="/data/${req.params.token}/erase"><button type="submit">Yes, erase everything</button></form>
<p class="muted"><a href="/data/${req.params.token}">No, go back</a></p>`,
      ),
    );
  });

  app.post<{ Params: { token: string } }>('/data/:token/erase', { schema: { summary: 'Erase the reader for good (GDPR Art. 17)', tags: ['Your data'], params: TokenParams, response: { 200: htmlPage('Your data is erased'), 400: ErrorReply, 404: ErrorReply, 410: ErrorReply } } }, async (req, reply) => {
    const r = await reader(req, reply);
    if (!r) return reply;
    await deps.readers.erase(r.id);
    if (wantsJson(req)) return { erased: true };
    return sendHtml(
      reply,
      messagePage(
        'Your data is erased',
        'Your address, settings and delivery history are gone. You will receive nothing more.',
        html`<p><a href="/">Subscribe again</a> any time; you would start fresh.</p>`,
      ),
    );
  });
}
