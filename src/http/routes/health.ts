import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';

/** GET /health (the process answers) and GET /ready (its database and queue backend answer too). */
export async function healthRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    const entries = await Promise.all(
      Object.entries(deps.readiness).map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, (err as Error).message || 'unreachable'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, v]) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
}
