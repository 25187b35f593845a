import type { FastifyReply, FastifyRequest } from 'fastify';
import { messagePage, renderPage, type Page, type Site } from './pages/layout.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The newsletter every page is laid out for (decorated once, in app.ts). */
    site: Site;
  }
}

/** JSON for API clients (JSON body or Accept), HTML pages for browsers. */
export function wantsJson(req: FastifyRequest): boolean {
  if (req.url.startsWith('/api/')) return true;
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) return true;
  const accept = String(req.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** Answers an error: a clear message in the shape the client asked for. */
export function sendError(req: FastifyRequest, reply: FastifyReply, status: number, message: string, title = 'Something is not right') {
  reply.code(status);
  if (wantsJson(req)) return reply.send({ error: message, statusCode: status });
  return reply.type('text/html; charset=utf-8').send(renderPage(reply.server.site, messagePage(title, message)));
}

/** Sends a page in the site's layout, or a whole document of its own (a digest's web version, a caught mail). */
export function sendHtml(reply: FastifyReply, body: Page | string, status = 200) {
  const doc = typeof body === 'string' ? body : renderPage(reply.server.site, body);
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(doc);
}

/** Where a consent was given: address, browser and the form's version. */
export function consentOf(req: FastifyRequest, formVersion: string) {
  return { ip: req.ip ?? null, userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null, formVersion };
}

const FORM_OR_JSON = ['application/x-www-form-urlencoded', 'application/json'];

/** Answers 415 unless the body is a form or JSON; returns true when it did. */
export function rejectUnlessFormOrJson(req: FastifyRequest, reply: FastifyReply): boolean {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (FORM_OR_JSON.includes(type)) return false;
  void sendError(req, reply, 415, 'Send the form as application/x-www-form-urlencoded or JSON.', 'Unsupported format');
  return true;
}

/** The links a reader follows from a mail, by the words a person knows them by. */
export type LinkKind = 'confirmation' | 'unsubscribe' | 'preferences' | 'feedback' | 'reading-list' | 'data';

/** The one answer to a link whose token does not verify (cut short, mistyped, or forged). */
export function invalidLink(req: FastifyRequest, reply: FastifyReply, kind: LinkKind) {
  const name = kind === 'data' ? '' : `${kind} `;
  return sendError(req, reply, 400, `This ${name}link is not valid. Check that you copied all of it.`, 'Invalid link');
}
