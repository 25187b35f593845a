import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedConfig } from '../../config.js';
import type { Subscriber } from '../../domain/reader.js';
import { IMPORT_BODY_LIMIT, readerView, type AdminPort, type ImportMode } from '../admin-port.js';
import type { FailureCounter } from '../bearer.js';
import { admitBearer } from '../bearer.js';
import type { RouteSchema } from '../validation.js';
import { ADMIN_SCHEMAS as S } from './admin-schemas.js';


/** The admin API, behind `Authorization: Bearer $ADMIN_TOKEN` (compared in constant time; wrong guesses limited, see bearer.ts). */
/** What the admin API needs: the operator's port, and the counter of wrong tokens. */
export interface AdminApiDeps {
  config: Pick<ResolvedConfig, 'adminToken'>;
  admin: AdminPort;
  bearerFailures: FailureCounter;
}

export async function adminRoutes(app: FastifyInstance, deps: AdminApiDeps) {
  app.addHook('onRequest', async (req, reply) => {
    if (!(await admitBearer(req, reply, deps.config.adminToken, deps.bearerFailures, 'admin'))) return reply;
  });

  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
  // An empty JSON body is no body (`curl -X POST -H 'Content-Type: application/json' URL` sends one): a route
  // that needs none takes it, and one that needs a body says which field is missing. Anything else is
  // Fastify's own JSON parser, prototype poisoning refused.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => (String(body).trim() === '' ? done(null, undefined) : json(req, body as string, done)));
  // Any other type with an empty body (a route that needs no body does not read it).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) =>
    (body as Buffer).length === 0 ? done(null, undefined) : done(Object.assign(new Error('This content type is not accepted here: send JSON.'), { statusCode: 415 }), undefined),
  );

  app.post<{ Body: { frequency: 'daily' | 'weekly'; force?: boolean } }>(
    '/editions',
    { schema: S.sendNow },
    async (req, reply) => {
      const result = await deps.admin.sendNow(req.body.frequency, req.body.force === true);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.get<{ Querystring: { limit?: number; before?: number } }>(
    '/editions',
    { schema: S.editions },
    async (req) => deps.admin.editions.list({ limit: req.query.limit ?? 100, before: req.query.before }),
  );

  // The digest the next edition would bring (to one reader, given their address), as HTML; nothing is stored.
  app.get<{ Querystring: { frequency?: 'daily' | 'weekly'; email?: string } }>(
    '/preview',
    { schema: S.preview },
    async (req, reply) => {
      const preview = await deps.admin.preview(req.query.frequency ?? 'daily', req.query.email || undefined);
      if (!preview.ok) return reply.code(404).send({ error: preview.error, statusCode: 404 });
      return reply
        .type('text/html; charset=utf-8')
        .header('x-papermail-subject', encodeURIComponent(preview.subject))
        .header('x-papermail-papers', String(preview.papers))
        .send(preview.html);
    },
  );

  app.post('/ingest', { schema: S.ingest }, async (_req, reply) => {
    const queued = await deps.admin.ingestNow();
    return reply.code(queued ? 202 : 503).send(queued ? { queued } : { queued, error: 'The queue did not answer; the scheduled ingest still runs.', statusCode: 503 });
  });

  app.get('/overview', { schema: S.overview }, async () => ({
    subscribers: await deps.admin.readers.counts(),
    papers: await deps.admin.papers.count(),
    editions: await deps.admin.editions.list({ limit: 5 }),
  }));

  app.get<{ Querystring: { limit?: number; after?: number; search?: string; status?: Subscriber['status'] } }>(
    '/subscribers',
    { schema: S.subscribers },
    async (req) => {
      const rows = await deps.admin.readers.search({ limit: req.query.limit ?? 100, after: req.query.after, search: req.query.search || undefined, status: req.query.status });
      return { subscribers: rows.map(readerView), next: rows.length === (req.query.limit ?? 100) ? rows.at(-1)!.id : null };
    },
  );

  app.get<{ Querystring: { search?: string; status?: Subscriber['status'] } }>(
    '/subscribers.csv',
    { schema: S.subscribersCsv },
    async (req, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="subscribers.csv"')
        .send(deps.admin.readers.csv({ search: req.query.search || undefined, status: req.query.status })),
  );

  // CSV in the body (text/csv). mode=double-opt-in mails each a confirmation; mode=consented needs `consent`,
  // the operator's statement of where they consented, recorded with each reader.
  app.post<{ Querystring: { mode: ImportMode; consent?: string }; Body: string }>(
    '/subscribers/import',
    { bodyLimit: IMPORT_BODY_LIMIT, schema: S.import },
    async (req, reply) => {
      if (typeof req.body !== 'string') return reply.code(415).send({ error: 'Send the CSV as the body, with Content-Type: text/csv.', statusCode: 415 });
      const report = await deps.admin.importCsv(req.body, req.query.mode, req.query.consent ?? '');
      if ('error' in report) return reply.code(400).send({ error: report.error, statusCode: 400 });
      return report;
    },
  );

  app.get<{ Querystring: { limit?: number; since?: string } }>(
    '/papers',
    { schema: S.papers },
    async (req, reply) => {
      const since = req.query.since ? new Date(req.query.since) : undefined;
      if (since && Number.isNaN(since.getTime())) return reply.code(400).send({ error: 'since must be an ISO date-time', statusCode: 400 });
      const papers = await deps.admin.papers.list({ limit: req.query.limit ?? 100, since });
      const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
      return papers.map((p) => ({
        id: p.id,
        title: p.title,
        authors: p.authors,
        upvotes: p.upvotes,
        comments: p.comments,
        links: p.links,
        publishedAt: iso(p.publishedAt),
        featuredOn: p.featuredOn,
        firstSeenAt: iso(p.firstSeenAt),
        organization: p.organization,
        categories: p.categories,
        sources: p.sources,
      }));
    },
  );

  // The id matched as text (IdParams), then as a number within 2^53.
  const byId = (schema: RouteSchema) => ({
    schema,
    preHandler: async (req: FastifyRequest, reply: FastifyReply) => {
      const params = req.params as { id: string | number };
      const id = Number(params.id);
      if (!Number.isSafeInteger(id)) return reply.code(400).send({ error: 'Invalid request: the id is out of range.', statusCode: 400 });
      params.id = id;
    },
  });

  app.get<{ Params: { id: number } }>('/editions/:id', byId(S.edition), async (req, reply) => {
    const stats = await deps.admin.editions.stats(req.params.id);
    if (!stats) return reply.code(404).send({ error: `No edition ${req.params.id}.`, statusCode: 404 });
    const probe = stats.status === 'paused' ? (await deps.admin.editions.paused()).find((p) => p.id === req.params.id) : undefined;
    return {
      ...stats,
      pauseKind: probe?.kind ?? null,
      nextProbeAt: probe?.nextProbeAt ?? null,
      ledger: await deps.admin.ledger(req.params.id),
      failures: await deps.admin.editions.failuresByAnswer(req.params.id),
      engagement: await deps.admin.editions.engagement(req.params.id),
    };
  });

  // Stops an edition by hand; only an operator's resume starts it again (the breaker leaves it alone).
  app.post<{ Params: { id: number } }>('/editions/:id/pause', byId(S.pause), async (req, reply) => {
    const outcome = await deps.admin.pause(req.params.id);
    if (outcome === 'unknown') return reply.code(404).send({ error: `No edition ${req.params.id}.`, statusCode: 404 });
    if (outcome === 'not sending') return reply.code(409).send({ error: `Edition ${req.params.id} is not being sent.`, statusCode: 409, ...(await deps.admin.editions.stats(req.params.id)) });
    return deps.admin.editions.stats(req.params.id);
  });

  // Failed rows go back to the queue for readers who may be mailed now (a lifted suppression, a fixed relay).
  app.post<{ Params: { id: number } }>('/editions/:id/resend-failed', byId(S.resendFailed), async (req, reply) => {
    const result = await deps.admin.resendFailed(req.params.id);
    if (result.outcome === 'unknown') return reply.code(404).send({ error: `No edition ${req.params.id}.`, statusCode: 404 });
    return { requeued: result.requeued, queued: result.queued, ...(await deps.admin.editions.stats(req.params.id)) };
  });

  app.get<{ Params: { id: number } }>('/subscribers/:id', byId(S.subscriber), async (req, reply) => {
    const reader = await deps.admin.readers.byId(req.params.id);
    if (!reader) return reply.code(404).send({ error: `No subscriber ${req.params.id}.`, statusCode: 404 });
    return { subscriber: readerView(reader), deliveries: await deps.admin.readers.deliveries(req.params.id) };
  });

  // By hand: an operator's pause, or the breaker's before its probe passes. Every reader not yet sent gets it, once.
  app.post<{ Params: { id: number } }>('/editions/:id/resume', byId(S.resume), async (req, reply) => {
    const { outcome, queued } = await deps.admin.resume(req.params.id);
    if (outcome === 'unknown') return reply.code(404).send({ error: `No edition ${req.params.id}.`, statusCode: 404 });
    if (outcome === 'not paused') return reply.code(409).send({ error: `Edition ${req.params.id} is not paused.`, statusCode: 409, ...(await deps.admin.editions.stats(req.params.id)) });
    // The recovery sweep builds it too, should the queue be down right now.
    return { ...(await deps.admin.editions.stats(req.params.id)), queued };
  });

  // Suppressions: who is never mailed again, why, and from where; a mistaken one can be lifted.
  app.get<{ Querystring: { limit?: number; before?: string; search?: string } }>(
    '/suppressions',
    { schema: S.suppressions },
    async (req) => deps.admin.suppressions.list({ limit: req.query.limit ?? 100, before: req.query.before, search: req.query.search || undefined }),
  );

  app.delete<{ Params: { email: string } }>(
    '/suppressions/:email',
    { schema: S.lift },
    async (req, reply) => {
      const lifted = await deps.admin.suppressions.lift(req.params.email);
      if (!lifted) return reply.code(404).send({ error: `No suppression for ${req.params.email} (an erased reader's cannot be lifted).`, statusCode: 404 });
      return { lifted: req.params.email.toLowerCase() };
    },
  );
}
