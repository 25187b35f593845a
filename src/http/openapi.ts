import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { SESSION_COOKIE } from './admin-session.js';

// The API description (OpenAPI 3, @fastify/swagger, served at /openapi.json and /docs), generated from the
// routes' own schemas: the ones Fastify validates requests with. This file only adds what is the
// document's (its title, the security schemes) and hides the routes that are not part of the API.

/** Routes that are not part of the API: scripts, the dev inbox, the description itself, bull-board's UI. */
const INTERNAL = /^\/(assets|dev|docs|openapi\.json|admin\/queues)(\/|$)/;

/** A route as "METHOD /path/{param}", or null for an internal route or a HEAD that Fastify adds to a GET. */
function routeDocKey(method: string | string[], url: string): string | null {
  const verb = ([] as string[]).concat(method).find((m) => m !== 'HEAD');
  if (!verb || INTERNAL.test(url)) return null;
  return `${verb} ${url.replace(/:(\w+)/g, '{$1}')}`;
}

/** The routes that would reach /openapi.json without a summary; buildApp refuses to start with any. */
export function undocumented(routes: { method: string | string[]; url: string; schema?: { summary?: string } }[]): string[] {
  return routes.flatMap((r) => {
    const key = routeDocKey(r.method, r.url);
    return key && !r.schema?.summary ? [key] : [];
  });
}

/** @fastify/swagger's options: OpenAPI 3.0, each route described by its schema; internal routes hidden. */
export function openapiOptions(version: string, title: string, publicUrl: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      servers: [{ url: publicUrl, description: 'PUBLIC_URL' }],
      info: { title: `${title} API`, version, description: 'Self-hosted newsletter of trending research papers: the reader pages, the admin console and API, and the webhooks.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN (admin API) or METRICS_TOKEN (/metrics)' },
          webhookSecret: { type: 'apiKey', in: 'header', name: 'X-Webhook-Secret' },
          basic: { type: 'http', scheme: 'basic', description: 'Any user, WEBHOOK_SECRET as the password' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The console session (HttpOnly, SameSite=Strict), set by POST /admin/sign-in' },
        },
      },
    },
    // Internal routes (and a HEAD Fastify adds) stay out of the document; a route that names no security
    // is public, and says so (`security: []`).
    transform: ({ schema, url, route }) =>
      routeDocKey(route.method, url)
        ? { schema: { security: [], ...schema } as typeof schema, url }
        : { schema: { ...schema, hide: true } as typeof schema, url },
  };
}
