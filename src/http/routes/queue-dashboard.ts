import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import type { ResolvedConfig } from '../../config.js';

/** The queues the dashboard shows (BullMQ's own objects, on Redis or on Postgres). */
export type QueueBoard = Queue[];

const QUEUES_PATH = '/admin/queues';

/**
 * bull-board at /admin/queues, for the queues on Redis or on Postgres. It is registered inside the console's
 * context, so the console's sign-in and cross-site check guard it too. Its page sets a <base> of its own path
 * (allowed there, and nowhere else), and its link to a third-party font is dropped: the console loads nothing
 * from another site.
 *
 * Read-only unless QUEUE_DASHBOARD_WRITE=true: bull-board's own forms (pause, retry, clean, add, obliterate)
 * cannot carry the console's CSRF token, so its writes are off (bull-board's read-only mode, and a 405 here
 * for any method but GET and HEAD) until an operator chooses to rely on SameSite=Strict and the Origin check.
 */
export async function queueDashboard(app: FastifyInstance, deps: { config: Pick<ResolvedConfig, 'brand' | 'console'>; queues: QueueBoard }) {
  const adapter = new FastifyAdapter();
  const readOnlyMode = !deps.config.console.queueDashboardWrite;
  createBullBoard({
    queues: deps.queues.map((q) => new BullMQAdapter(q as never, { readOnlyMode })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: `${deps.config.brand.name} queues` } },
  });
  adapter.setBasePath(QUEUES_PATH);
  await app.register(
    async (board) => {
      if (readOnlyMode)
        board.addHook('onRequest', async (req, reply) => {
          if (req.method !== 'GET' && req.method !== 'HEAD')
            return reply.code(405).header('allow', 'GET, HEAD').send({ error: 'The queue dashboard is read-only (QUEUE_DASHBOARD_WRITE=true turns its actions on).', statusCode: 405 });
        });
      board.addHook('onSend', async (_req, reply, payload) => {
        const csp = reply.getHeader('content-security-policy');
        if (typeof csp === 'string') reply.header('content-security-policy', csp.replace("base-uri 'none'", "base-uri 'self'"));
        return typeof payload === 'string' ? payload.replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, '') : payload;
      });
      await board.register(adapter.registerPlugin(), { prefix: QUEUES_PATH });
    },
  );
}
