import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ResolvedConfig } from '../../config.js';
import type { FailureCounter } from '../bearer.js';
import { admitBearer } from '../bearer.js';
import { Type } from '@sinclair/typebox';
import { BEARER, ErrorReply, textOf } from '../schemas.js';

const Readiness = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) });

/** GET /health (the process answers) and GET /ready (its database and queue backend answer too). */
/** What /health, /ready and /metrics need. */
export interface HealthDeps {
  config: Pick<ResolvedConfig, 'metricsToken'>;
  /** Each check resolves when its service answers; /ready is 503 while one fails. */
  readiness: Record<string, () => Promise<void>>;
  /** Checks shown in /ready that do not make the API unready (the SMTP login, seen by this process's worker). */
  advisories?: Record<string, () => Promise<void>>;
  /** Prometheus registry served at GET /metrics (with METRICS_TOKEN). */
  metrics?: Registry;
  bearerFailures: FailureCounter;
}

export async function healthRoutes(app: FastifyInstance, deps: HealthDeps) {
  app.get('/health', { schema: { summary: 'Liveness', tags: ['Operations'], response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({ status: 'ok' }));
  const run = (checks: Record<string, () => Promise<void>>) =>
    Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, (err as Error).message || 'unreachable'] as const;
        }
      }),
    );
  // Advisories (the SMTP login) are shown but do not make the API unready: it can still take signups.
  app.get('/ready', { schema: { summary: 'Readiness: Postgres and the queue answer; checks.smtp is advisory', tags: ['Operations'], response: { 200: Readiness, 503: Readiness } } }, async (_req, reply) => {
    const [entries, advisories] = await Promise.all([run(deps.readiness), run(deps.advisories ?? {})]);
    const ready = entries.every(([, v]) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries([...entries, ...advisories]) });
  });

  // Prometheus text, behind its own bearer token (METRICS_TOKEN); the route does not exist without one.
  const token = deps.config.metricsToken;
  const registry = deps.metrics;
  if (token && registry) {
    app.get('/metrics', { schema: { summary: 'Prometheus metrics (METRICS_TOKEN)', tags: ['Operations'], security: BEARER, response: { 200: textOf('text/plain', 'Prometheus text'), 401: ErrorReply, 429: ErrorReply, 503: ErrorReply } } }, async (req, reply) => {
      if (!(await admitBearer(req, reply, token, deps.bearerFailures, 'metrics'))) return reply;
      try {
        const body = await registry.metrics();
        return reply.type(registry.contentType).header('cache-control', 'no-store').send(body);
      } catch (err) {
        // Postgres or the queue not answering: say so, as /ready does, rather than a half-filled page.
        return reply.code(503).send({ error: `Metrics unavailable: ${(err as Error).message}`, statusCode: 503 });
      }
    });
  }
}
