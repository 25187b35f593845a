import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { startEdition } from '../../jobs/start-edition.js';
import type { AppDeps } from '../deps.js';
import { hasBearer } from '../respond.js';

/** The admin API, behind `Authorization: Bearer $ADMIN_TOKEN` (compared in constant time). */
export async function adminRoutes(app: FastifyInstance, deps: AppDeps) {
  app.addHook('onRequest', async (req, reply) => {
    if (!hasBearer(req, deps.config.adminToken)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'A valid admin token is required.', statusCode: 401 });
    }
  });

  app.post<{ Body: { frequency: 'daily' | 'weekly'; force?: boolean } }>(
    '/editions',
    {
      schema: {
        body: {
          type: 'object',
          required: ['frequency'],
          additionalProperties: false,
          properties: { frequency: { type: 'string', enum: ['daily', 'weekly'] }, force: { type: 'boolean' } },
        },
      },
    },
    async (req, reply) => {
      const now = () => new Date();
      const result = await startEdition({ ...deps, now }, req.body.frequency, req.body.force === true);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.get<{ Querystring: { limit?: number; since?: string } }>(
    '/papers',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, since: { type: 'string', format: 'date-time' } },
        },
      },
    },
    async (req, reply) => {
      const since = req.query.since ? new Date(req.query.since) : undefined;
      if (since && Number.isNaN(since.getTime())) return reply.code(400).send({ error: 'since must be an ISO date-time', statusCode: 400 });
      const papers = await deps.repos.papers.list({ limit: req.query.limit ?? 100, since });
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

  // Ids are bigint in Postgres: only plain decimal digits up to 2^53 are ours. Matched as text, because a
  // number schema would coerce "1e309" to Infinity and "0x10" to 16 before the range is checked.
  const idParams = {
    schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } }, required: ['id'] } },
    preHandler: async (req: FastifyRequest, reply: FastifyReply) => {
      const params = req.params as { id: string | number };
      const id = Number(params.id);
      if (!Number.isSafeInteger(id)) return reply.code(400).send({ error: 'Invalid request: the id is out of range.', statusCode: 400 });
      params.id = id;
    },
  };

  app.get<{ Params: { id: number } }>('/editions/:id', idParams, async (req, reply) => {
    const stats = await deps.repos.editions.stats(req.params.id);
    if (!stats) return reply.code(404).send({ error: `No edition ${req.params.id}.`, statusCode: 404 });
    return stats;
  });

  // After the operator fixed what paused it (SMTP login, sender, relay): every reader not yet sent gets it, once.
  app.post<{ Params: { id: number } }>('/editions/:id/resume', idParams, async (req, reply) => {
    const outcome = await deps.repos.editions.resume(req.params.id);
    if (outcome === 'unknown') return reply.code(404).send({ error: `No edition ${req.params.id}.`, statusCode: 404 });
    if (outcome === 'not paused') return reply.code(409).send({ error: `Edition ${req.params.id} is not paused.`, statusCode: 409, ...(await deps.repos.editions.stats(req.params.id)) });
    // The recovery sweep builds it too, should the queue be down right now.
    const queued = await deps.producer.buildEdition(req.params.id, `resume${Date.now()}`).then(
      () => true,
      () => false,
    );
    return { ...(await deps.repos.editions.stats(req.params.id)), queued };
  });

  // Suppressions: who is never mailed again, why, and from where; a mistaken one can be lifted.
  app.get<{ Querystring: { limit?: number; before?: string } }>(
    '/suppressions',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, before: { type: 'string', maxLength: 320 } },
        },
      },
    },
    async (req) => deps.repos.suppressions.list({ limit: req.query.limit ?? 100, before: req.query.before }),
  );

  app.delete<{ Params: { email: string } }>(
    '/suppressions/:email',
    { schema: { params: { type: 'object', properties: { email: { type: 'string', minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' } }, required: ['email'] } } },
    async (req, reply) => {
      const lifted = await deps.repos.suppressions.lift(req.params.email);
      if (!lifted) return reply.code(404).send({ error: `No suppression for ${req.params.email} (an erased reader's cannot be lifted).`, statusCode: 404 });
      return { lifted: req.params.email.toLowerCase() };
    },
  );
}
