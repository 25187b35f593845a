import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../../domain/tokens.js';
import { readWebhook } from '../../mail/bounce-notices.js';
import type { AppDeps } from '../deps.js';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** The secret from `X-Webhook-Secret`, or the password of basic auth (how SNS and Postmark send it). */
function secretOf(req: FastifyRequest): string | null {
  const header = req.headers['x-webhook-secret'];
  if (typeof header === 'string') return header;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(String(req.headers.authorization ?? ''))?.[1];
  if (!basic) return null;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : null;
}

/**
 * POST /api/webhooks/bounces: bounces and complaints that arrive after the SMTP answer, from Amazon SES
 * (through SNS, including its subscription handshake), Postmark, or papermail's own {email, type, reason}.
 * Authenticated by WEBHOOK_SECRET; off (404) without it. Each event is recorded on its own: one bad item
 * or one address never fails the others.
 */
export async function webhookRoutes(app: FastifyInstance, deps: AppDeps) {
  const secret = deps.config.bounces.webhookSecret;
  if (!secret) return;
  // SNS posts its JSON as text/plain.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('The body is not JSON.'), { statusCode: 400 }), undefined);
    }
  });

  app.post('/api/webhooks/bounces', { bodyLimit: 256 * 1024 }, async (req: FastifyRequest, reply: FastifyReply) => {
    const given = secretOf(req);
    if (!given || !safeEqual(given, secret)) {
      return reply.code(401).header('www-authenticate', 'Basic realm="papermail webhooks"').send({ error: 'A valid webhook secret is required.', statusCode: 401 });
    }
    const notice = readWebhook(req.body);
    switch (notice.kind) {
      case 'invalid':
        return reply.code(400).send({ error: notice.error, statusCode: 400 });
      case 'ignored':
        return { recorded: 0, ignored: notice.why };
      case 'subscribe':
        return confirmSubscription(notice.url, reply);
      case 'events': {
        const outcomes: { email: string; kind: string; outcome: string }[] = [];
        for (const e of notice.events) {
          const outcome = await deps.repos.suppressions.record(e, deps.config.bounces.softLimit);
          outcomes.push({ email: e.email, kind: e.kind, outcome });
        }
        req.log.info({ events: outcomes.length }, 'bounce webhook recorded');
        return { recorded: outcomes.length, outcomes };
      }
    }
  });

  /** Amazon SNS's handshake: GET the SubscribeURL, which must be an https URL of an allowed AWS host. */
  async function confirmSubscription(raw: string, reply: FastifyReply) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return reply.code(400).send({ error: 'The SubscribeURL is not a URL.', statusCode: 400 });
    }
    const host = url.hostname.toLowerCase();
    const allowed = deps.config.bounces.snsConfirmHosts.some((h) => host === h || host.endsWith(`.${h}`));
    const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(host));
    if (!allowed || !scheme || url.username || url.password)
      return reply.code(400).send({ error: `The SubscribeURL must be an https URL on ${deps.config.bounces.snsConfirmHosts.join(' or ')} (SNS_CONFIRM_HOSTS).`, statusCode: 400 });
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      // SNS sends the confirmation again; a 502 says it did not take.
      return reply.code(502).send({ error: `Could not confirm the SNS subscription: ${(err as Error).message}`, statusCode: 502 });
    }
    return { subscribed: true };
  }
}
