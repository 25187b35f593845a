import { importPage, papersPage, subscriberPage, subscribersPage, suppressionsPage } from '../pages/admin-readers.js';
import { editionPage, editionsPage, overviewPage } from '../pages/admin-editions.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedConfig } from '../../config.js';
import type { Subscriber } from '../../domain/reader.js';
import type { Frequency } from '../../domain/edition.js';
import { type AdminPort, type ImportMode } from '../admin-port.js';
import { ipForLog } from '../../domain/redact.js';
import { adminSessions, crossSite, type SessionStore } from '../admin-session.js';
import { type ConsoleContext, signInPage } from '../pages/admin.js';
import { sendError, sendHtml } from '../respond.js';
import { queueDashboard, type QueueBoard } from './queue-dashboard.js';
import { CONSOLE_SCHEMAS as C } from './console-schemas.js';
import type { RouteSchema } from '../validation.js';

const ID = /^[1-9][0-9]{0,15}$/;
const STATUSES = new Set(['pending', 'active', 'unsubscribed', 'suppressed']);
const text = (v: unknown, max = 320) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/**
 * The console at /admin: sign in with the admin token, then a signed HttpOnly SameSite=Strict cookie. Every
 * form carries a CSRF token (@fastify/csrf-protection), and a POST whose Origin is another site's is refused
 * before that. Each action is one of adminOperations, which the JSON admin API calls too.
 */
/** What the console needs: the operator's port, its sessions, the queues it shows. */
export interface ConsoleDeps {
  config: Pick<ResolvedConfig, 'adminToken' | 'secret' | 'publicUrl' | 'console' | 'ingest' | 'privacy' | 'queuePrefix' | 'brand'>;
  admin: AdminPort;
  sessions: SessionStore;
  queues: QueueBoard;
}

export async function adminConsoleRoutes(app: FastifyInstance, deps: ConsoleDeps) {
  const secure = deps.config.publicUrl.startsWith('https:');
  const sessions = adminSessions({ store: deps.sessions, secret: deps.config.secret, adminToken: deps.config.adminToken, secure, idleMinutes: deps.config.console.idleMinutes });

  const signedIn = (req: FastifyRequest) => sessions.valid(req);
  const token = (reply: FastifyReply) => reply.generateCsrf();
  /** What every console page carries: its form token, and the editions paused now (the banner). */
  const page = async (reply: FastifyReply): Promise<ConsoleContext> => ({ csrf: token(reply), paused: await deps.admin.editions.paused() });
  const refuse = (req: FastifyRequest, reply: FastifyReply) =>
    req.method === 'GET' && !/\/progress$/.test(req.url.split('?')[0]!)
      ? sendHtml(reply, signInPage(token(reply), 'Please sign in to see this page.'), 401)
      : sendError(req, reply, 401, 'Please sign in at /admin/sign-in first.', 'Sign in');

  const OPEN = new Set(['/admin/sign-in']);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('referrer-policy', 'same-origin');
    if (req.method !== 'GET' && req.method !== 'HEAD' && crossSite(req, deps.config.publicUrl)) {
      req.log.warn({ origin: req.headers.origin }, 'console form posted from another site: refused');
      return sendError(req, reply, 403, 'This form was sent from another site; it was refused.', 'Refused');
    }
    if (!OPEN.has(req.url.split('?')[0]!.replace(/\/$/, '')) && !(await signedIn(req))) return refuse(req, reply);
    // The console's answers hold readers' addresses: never cached. Its URLs carry no secret, so its forms may
    // say where they come from: with the site's no-referrer policy a browser would send "Origin: null".
    reply.header('cache-control', 'no-store').header('referrer-policy', 'same-origin');
  });
  // A state-changing request needs the CSRF token of this browser's console page.
  // Checked before the form itself: a form from elsewhere is refused (403) whatever it holds.
  const guarded = (schema: RouteSchema) => ({ schema, preValidation: app.csrfProtection });

  const see = (reply: FastifyReply, where: string, notice?: string) => reply.redirect(notice ? `${where}${where.includes('?') ? '&' : '?'}notice=${encodeURIComponent(notice)}` : where, 303);
  const noticeOf = (req: FastifyRequest) => text((req.query as Record<string, unknown>).notice, 300) || undefined;
  const idOf = (req: FastifyRequest) => {
    const raw = (req.params as { id: string }).id;
    return ID.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : null;
  };

  app.get('/admin/sign-in', { schema: C.signInPage }, async (req, reply) => ((await signedIn(req)) ? see(reply, '/admin') : sendHtml(reply, signInPage(token(reply)))));
  // At most 10 tries a minute per IP: the token cannot be guessed through the form.
  app.post('/admin/sign-in', { ...guarded(C.signIn), onRequest: app.rateLimit({ max: 10, timeWindow: 60_000, groupId: 'admin-sign-in' }) }, async (req, reply) => {
    const given = text((req.body as Record<string, unknown> | undefined)?.token, 500);
    if (!given || !sessions.tokenMatches(given)) {
      req.log.warn({ ip: ipForLog(req.ip, deps.config.privacy.logIp) }, 'console sign-in refused: wrong token');
      return sendHtml(reply, signInPage(token(reply), 'That is not the admin token.'), 401);
    }
    await sessions.start(req, reply);
    return see(reply, '/admin');
  });
  app.post('/admin/sign-out', guarded(C.signOut), async (req, reply) => {
    await sessions.end(req, reply);
    return see(reply, '/admin/sign-in');
  });
  // A cookie that may have leaked (a shared machine, a lost laptop): every console session ends, this one too.
  app.post('/admin/sessions/end-all', guarded(C.endAll), async (req, reply) => {
    const ended = await sessions.endAll(reply);
    req.log.warn({ ended }, 'every console session ended');
    return see(reply, '/admin/sign-in');
  });

  app.get('/admin', { schema: C.overview }, async (req, reply) =>
    sendHtml(
      reply,
      overviewPage(await page(reply),
        { subscribers: await deps.admin.readers.counts(), papers: await deps.admin.papers.count(), editions: await deps.admin.editions.list({ limit: 5 }) },
        noticeOf(req),
      ),
    ),
  );

  // Editions.
  app.get('/admin/editions', { schema: C.editions }, async (req, reply) => {
    const before = Number(text((req.query as Record<string, unknown>).before, 17)) || undefined;
    const list = await deps.admin.editions.list({ limit: 50, before });
    return sendHtml(reply, editionsPage(await page(reply), list, list.length === 50 ? list.at(-1)!.id : null));
  });
  app.post('/admin/editions', guarded(C.sendNow), async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const result = await deps.admin.sendNow(b.frequency as Frequency, b.force === 'true');
    return see(reply, `/admin/editions/${result.id}`, result.queued ? 'Sending has started.' : 'The edition is stored; the queue did not answer, so recovery will send it.');
  });
  app.get('/admin/editions/:id', { schema: C.edition }, async (req, reply) => {
    const id = idOf(req);
    const stats = id === null ? null : await deps.admin.editions.stats(id);
    if (!stats || id === null) return sendError(req, reply, 404, 'There is no such edition.', 'Not found');
    const pool = await deps.admin.papers.byIds(stats.papers);
    const c = await page(reply);
    const more = { ledger: await deps.admin.ledger(id), probe: c.paused.find((p) => p.id === id) ?? null, engagement: await deps.admin.editions.engagement(id) };
    return sendHtml(reply, editionPage(c, stats, pool, await deps.admin.editions.failuresByAnswer(id), more, noticeOf(req)));
  });
  app.get('/admin/editions/:id/progress', { schema: C.progress }, async (req, reply) => {
    const id = idOf(req);
    const stats = id === null ? null : await deps.admin.editions.stats(id);
    if (!stats) return reply.code(404).send({ error: 'There is no such edition.', statusCode: 404 });
    const { papers: _papers, ...counts } = stats;
    return counts;
  });
  app.post('/admin/editions/:id/resume', guarded(C.resume), async (req, reply) => {
    const id = idOf(req);
    const result = id === null ? null : await deps.admin.resume(id);
    if (!result || result.outcome === 'unknown') return sendError(req, reply, 404, 'There is no such edition.', 'Not found');
    return see(reply, `/admin/editions/${id}`, result.outcome === 'resumed' ? 'Resumed: every reader not yet sent gets it, once.' : 'This edition is not paused.');
  });
  app.post('/admin/editions/:id/pause', guarded(C.pause), async (req, reply) => {
    const id = idOf(req);
    const outcome = id === null ? 'unknown' : await deps.admin.pause(id);
    if (outcome === 'unknown') return sendError(req, reply, 404, 'There is no such edition.', 'Not found');
    return see(reply, `/admin/editions/${id}`, outcome === 'paused' ? 'Paused: nothing more is sent until you resume it.' : 'This edition is not being sent.');
  });
  app.post('/admin/editions/:id/resend-failed', guarded(C.resendFailed), async (req, reply) => {
    const id = idOf(req);
    const result = id === null ? null : await deps.admin.resendFailed(id);
    if (!result || result.outcome === 'unknown') return sendError(req, reply, 404, 'There is no such edition.', 'Not found');
    return see(
      reply,
      `/admin/editions/${id}`,
      result.requeued ? `${result.requeued} failed deliveries are queued again.` : 'No failed delivery can be sent again: those readers are still suppressed or no longer active.',
    );
  });
  app.get('/admin/preview', { schema: C.preview }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const frequency = q.frequency === 'weekly' ? 'weekly' : 'daily';
    const preview = await deps.admin.preview(frequency, text(q.email) || undefined);
    if (!preview.ok) return sendError(req, reply, 404, preview.error, 'Not found');
    return sendHtml(reply, preview.html);
  });

  // Subscribers.
  const searchOf = (req: FastifyRequest) => {
    const q = req.query as Record<string, unknown>;
    const status = text(q.status, 20);
    return { search: text(q.search) || undefined, status: STATUSES.has(status) ? (status as Subscriber['status']) : undefined };
  };
  app.get('/admin/subscribers', { schema: C.subscribers }, async (req, reply) => {
    const q = searchOf(req);
    const after = Number(text((req.query as Record<string, unknown>).after, 17)) || undefined;
    const list = await deps.admin.readers.search({ ...q, after, limit: 50 });
    return sendHtml(reply, subscribersPage(await page(reply), q, list, list.length === 50 ? list.at(-1)!.id : null));
  });
  app.get('/admin/subscribers.csv', { schema: C.subscribersCsv }, async (req, reply) =>
    reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="subscribers.csv"').send(deps.admin.readers.csv(searchOf(req))),
  );
  app.get('/admin/subscribers/:id', { schema: C.subscriber }, async (req, reply) => {
    const id = idOf(req);
    const reader = id === null ? null : await deps.admin.readers.byId(id);
    if (!reader || id === null) return sendError(req, reply, 404, 'There is no such subscriber.', 'Not found');
    return sendHtml(reply, subscriberPage(await page(reply), reader, await deps.admin.readers.deliveries(id)));
  });
  app.get('/admin/import', { schema: C.importPage }, async (_req, reply) => sendHtml(reply, importPage(await page(reply))));
  app.post('/admin/subscribers/import', guarded(C.import), async (req, reply) => {
    if (!req.isMultipart()) return sendHtml(reply, importPage(await page(reply), undefined, 'Choose a CSV file to import.'), 400);
    let csv = '';
    const fields: Record<string, string> = {};
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        csv = (await part.toBuffer()).toString('utf8');
      } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
    const mode: ImportMode = fields.mode === 'consented' ? 'consented' : 'double-opt-in';
    if (!csv.trim()) return sendHtml(reply, importPage(await page(reply), undefined, 'The file is empty: choose a CSV file to import.'), 400);
    const report = await deps.admin.importCsv(csv, mode, fields.consent ?? '');
    if ('error' in report) return sendHtml(reply, importPage(await page(reply), undefined, report.error), 400);
    req.log.info({ mode, imported: report.imported, invited: report.invited, skipped: report.skipped.length, problems: report.problems.length }, 'subscribers imported');
    return sendHtml(reply, importPage(await page(reply), report));
  });

  // Suppressions.
  app.get('/admin/suppressions', { schema: C.suppressions }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const search = text(q.search) || undefined;
    const list = await deps.admin.suppressions.list({ limit: 50, search, before: text(q.before) || undefined });
    return sendHtml(reply, suppressionsPage(await page(reply), search, list, list.length === 50 ? list.at(-1)!.email : null, noticeOf(req)));
  });
  app.post('/admin/suppressions/lift', guarded(C.lift), async (req, reply) => {
    const email = text((req.body as Record<string, unknown> | undefined)?.email);
    const lifted = email ? await deps.admin.suppressions.lift(email) : false;
    return see(reply, '/admin/suppressions', lifted ? `Lifted: ${email} may be mailed again.` : `No suppression to lift for ${email || 'that address'}.`);
  });

  // Papers.
  app.get('/admin/papers', { schema: C.papers }, async (req, reply) =>
    sendHtml(
      reply,
      papersPage(await page(reply),
        await deps.admin.papers.count(),
        await deps.admin.papers.list({ limit: 200 }),
        { runs: await deps.admin.papers.sourceRuns(), configured: deps.config.ingest.sources },
        noticeOf(req),
      ),
    ),
  );
  app.post('/admin/ingest', guarded(C.ingest), async (_req, reply) => {
    const queued = await deps.admin.ingestNow();
    return see(
      reply,
      '/admin/papers',
      queued ? 'Fetching papers now: reload this page in a minute to see each source\'s outcome under Sources.' : 'The queue did not answer; the scheduled ingest still runs.',
    );
  });

  await queueDashboard(app, { config: deps.config, queues: deps.queues });
}
