import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedConfig } from '../config.js';
import { IMPORT_BODY_LIMIT } from './admin-port.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** The console's CSRF cookie: signed, same-site only, sent to /admin alone. */
const CSRF_COOKIE = 'papermail_csrf';

/**
 * Every Fastify plugin the app uses, registered once here, at the root: routes only use what they add
 * (`app.rateLimit`, `app.csrfProtection`, `req.parts`, cookies).
 */
export async function registerPlugins(
  app: FastifyInstance,
  opts: { config: Pick<ResolvedConfig, 'secret' | 'publicUrl' | 'queuePrefix'>; bodyLimit: number; rateLimitRedis: Redis | Cluster | null },
): Promise<void> {
  const { config } = opts;
  await app.register(formbody, { bodyLimit: opts.bodyLimit });
  await app.register(helmet, SECURITY_HEADERS);
  // The per-IP limits (signups, console sign-in) count in Redis when there is one, so that several API
  // processes share them. A limit store that does not answer never takes a page down: the per-inbox throttle
  // (in Postgres) still holds for signups.
  await app.register(rateLimit, { global: false, redis: opts.rateLimitRedis ?? undefined, nameSpace: `${config.queuePrefix}-limit-`, skipOnError: true });
  await app.register(cookie, { secret: config.secret });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/admin', httpOnly: true, sameSite: 'strict', secure: config.publicUrl.startsWith('https:'), signed: true },
    // The console's import form is multipart, read only by its handler: its token rides in the action's query.
    getToken: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      if (body && typeof body._csrf === 'string') return body._csrf;
      const query = req.query as Record<string, unknown>;
      return typeof query._csrf === 'string' ? query._csrf : undefined;
    },
  });
  // Multipart bodies are read by the routes that take them (the console's CSV import, RFC 8058 one-click
  // unsubscribes), each within these limits or narrower ones of its own.
  await app.register(multipart, { limits: { files: 1, fileSize: IMPORT_BODY_LIMIT, fields: 10, fieldSize: 1024, parts: 12 } });
}
