import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ipForLog, redactUrl } from '../domain/redact.js';
import { useSchemas, validationMessage } from './validation.js';
import { openapiOptions, undocumented } from './openapi.js';
import { registerPlugins } from './plugins.js';
import { sendError } from './respond.js';
import { adminRoutes, type AdminApiDeps } from './routes/admin.js';
import { adminConsoleRoutes, type ConsoleDeps } from './routes/admin-console.js';
import { archiveRoutes, type ArchiveDeps } from './routes/archive.js';
import { assetRoutes } from './routes/assets.js';
import { preferencesRoutes, type PreferencesDeps } from './routes/preferences.js';
import { confirmRoutes, type ConfirmDeps } from './routes/confirm.js';
import { devInboxRoutes, type DevInbox } from './routes/dev-inbox.js';
import { feedbackRoutes, type FeedbackDeps } from './routes/feedback.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';
import { signupRoutes, type SignupDeps } from './routes/signup.js';
import { unsubscribeRoutes, type UnsubscribeDeps } from './routes/unsubscribe.js';
import { webhookRoutes, type WebhookDeps } from './routes/webhooks.js';
import { yourDataRoutes, type YourDataDeps } from './routes/your-data.js';
import type { FastifyBaseLogger } from 'fastify';
import type { ResolvedConfig } from '../config.js';
import type { Cluster, Redis } from 'ioredis';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

// Signup and one-click bodies are tiny; anything bigger is not a form a person filled in.
const BODY_LIMIT = 16 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

const MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This content type is not accepted here: send application/x-www-form-urlencoded or JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The JSON body is empty.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The JSON body could not be parsed.',
};

/**
 * The request's URL as a log line may hold it: the path rebuilt from the route it matched, so that every
 * parameter but an id is cut (a link token, and whatever a later route adds), addresses masked, 2 KB at most.
 */
const loggedUrl = (req: FastifyRequest) =>
  redactUrl(req.url, req.routeOptions.url ? { pattern: req.routeOptions.url, params: (req.params ?? {}) as Record<string, unknown> } : undefined);

/** Trusts the nearest `n` proxies (hop 0 is the one that connected to us), as a number means to Fastify. */
const trustHops = (n: number) => (_address: string, hop: number) => hop < n;

const MULTIPART_FAULT = /multipart|boundary|unexpected end of (form|multipart)|malformed|part header/i;

/**
 * The app's parts: its settings and logger, and each route group's own port (declared in the group's file
 * and bound by the runtime). No route sees another group's.
 */
export interface AppParts {
  config: Pick<ResolvedConfig, 'trustProxy' | 'brand' | 'privacy' | 'secret' | 'publicUrl' | 'queuePrefix'>;
  /** Where the per-IP limits count, so that several API processes share them; in memory when null. */
  rateLimitRedis: Redis | Cluster | null;
  /** The service's logger (pino): one access line per request, with its id; none when absent (tests). */
  logger?: FastifyBaseLogger;
  routes: {
    health: HealthDeps;
    signup: SignupDeps;
    confirm: ConfirmDeps;
    unsubscribe: UnsubscribeDeps;
    preferences: PreferencesDeps;
    yourData: YourDataDeps;
    feedback: FeedbackDeps;
    archive: ArchiveDeps;
    admin: AdminApiDeps;
    console: ConsoleDeps;
    /** Off (no route) without WEBHOOK_SECRET. */
    webhooks: WebhookDeps;
    /** The built-in catcher's mail, when it runs and may be shown: enables /dev/inbox. */
    devInbox: DevInbox | null;
  };
}

/** Assembles the Fastify app: parsers, one error handler, then the routes. Listening is the caller's job. */
export async function buildApp(deps: AppParts): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // One access line per request is written below, with its URL redacted; Fastify's own would hold tokens.
    logController: new LogController({ disableRequestLogging: true }),
    // A proxy's X-Request-Id is kept when it looks like one, so a request can be followed across hops.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: BODY_LIMIT,
    // Off by default: X-Forwarded-For is believed only from the proxies TRUST_PROXY names.
    trustProxy: typeof deps.config.trustProxy === 'number' ? trustHops(deps.config.trustProxy) : deps.config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  app.decorate('site', deps.config.brand);
  useSchemas(app);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      { method: req.method, url: loggedUrl(req), status: reply.statusCode, ms: Math.round(reply.elapsedTime), ip: ipForLog(req.ip, deps.config.privacy.logIp) },
      'request',
    );
  });
  await registerPlugins(app, { config: deps.config, bodyLimit: BODY_LIMIT, rateLimitRedis: deps.rateLimitRedis });
  // The API description from every route, at /openapi.json, and a reference UI at /docs (served from here).
  await app.register(swagger, openapiOptions(VERSION, deps.config.brand.name, deps.config.publicUrl));
  // Every route is described: one added without a schema and its summary stops the start (and so every test).
  const routes: { method: string | string[]; url: string; schema?: { summary?: string } }[] = [];
  app.addHook('onRoute', (r) => void routes.push({ method: r.method, url: r.url, schema: r.schema as { summary?: string } | undefined }));
  app.addHook('onReady', async () => {
    const missing = undocumented(routes);
    if (missing.length) throw new Error(`routes without a schema summary (the API description): ${missing.join(', ')}`);
  });
  // BaseLayout: the reference without Swagger's top bar (its logo is an image without alt text).
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: false, uiConfig: { layout: 'BaseLayout' }, theme: { title: `${deps.config.brand.name} API` } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.setErrorHandler((err: FastifyError, req, reply) => {
    // busboy's errors (no boundary, a truncated or malformed part) carry no status: the body is the client's fault.
    const unreadableForm = !err.statusCode && /^multipart\//i.test(String(req.headers['content-type'] ?? '')) && MULTIPART_FAULT.test(err.message);
    if (unreadableForm) return sendError(req, reply, 400, 'The form data could not be read: it is malformed or cut short.');
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err, url: loggedUrl(req) }, 'request failed');
      return sendError(req, reply, status, 'Something went wrong on our side. Please try again in a moment.', 'Sorry');
    }
    if (status === 429) return sendError(req, reply, 429, err.message, 'Please slow down');
    const noBody = err.validation && err.validationContext === 'body' && req.body === undefined;
    const message = noBody
      ? 'Invalid request: this needs a JSON body (see /docs).'
      : err.validation
        ? validationMessage(err)
        : (MESSAGES[err.code] ?? err.message);
    return sendError(req, reply, status, message);
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, 404, 'There is no page at this address.', 'Not found'));

  const r = deps.routes;
  await app.register(healthRoutes, r.health);
  await app.register(assetRoutes);
  await app.register(signupRoutes, r.signup);
  await app.register(confirmRoutes, r.confirm);
  await app.register(unsubscribeRoutes, r.unsubscribe);
  await app.register(preferencesRoutes, r.preferences);
  await app.register(yourDataRoutes, r.yourData);
  await app.register(feedbackRoutes, r.feedback);
  await app.register(archiveRoutes, r.archive);
  await app.register(async (api) => adminRoutes(api, r.admin), { prefix: '/api/admin' });
  await app.register(adminConsoleRoutes, r.console);
  await app.register(webhookRoutes, r.webhooks);
  const inbox = r.devInbox;
  if (inbox) await app.register(async (dev) => devInboxRoutes(dev, inbox));
  return app;
}
