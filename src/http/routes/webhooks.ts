import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../../domain/tokens.js';
import { readWebhook } from '../../domain/bounce-notices.js';
import type { ResolvedConfig } from '../../config.js';
import type { BounceEvent } from '../../domain/bounces.js';
import { Type } from '@sinclair/typebox';
import { ErrorReply } from '../schemas.js';
import type { RouteSchema } from '../validation.js';

/** The secret from `X-Webhook-Secret`, or the password of basic auth (how SNS and Postmark send it). */
function secretOf(req: FastifyRequest): string | null {
  const header = req.headers['x-webhook-secret'];
  if (typeof header === 'string') return header;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(String(req.headers.authorization ?? ''))?.[1];
  if (!basic) return null;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : null;
}

/** What the bounce webhook asks of Amazon SNS (bound to src/mail/sns.ts by the runtime). */
export interface SnsGate {
  /** Resolves when the message is signed by Amazon SNS; rejects with the reason otherwise. */
  verify(message: Record<string, unknown>): Promise<void>;
  /** Confirms a subscription by its SubscribeURL: `invalid` when the URL is not Amazon SNS's, `failed` when the GET did not take. */
  confirm(url: string): Promise<'confirmed' | { invalid: string } | { failed: string }>;
}

const SNS_TYPES = new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);

const GenericEvent = Type.Object(
  {
    email: Type.String({ 'x-messages': { type: 'Each item\'s "email" must be an email address.' } }),
    type: Type.String({ enum: ['hard', 'soft', 'complaint'], 'x-messages': { type: 'Each item\'s "type" must be "hard", "soft" or "complaint".', enum: 'Each item\'s "type" must be "hard", "soft" or "complaint".' } }),
    reason: Type.Optional(Type.String({ 'x-messages': { type: 'Each item\'s "reason" must be text.' } })),
    messageId: Type.Optional(Type.String({ maxLength: 500, description: 'The Message-ID of the mail complained about: ties a complaint to its edition', 'x-messages': { type: 'Each item\'s "messageId" must be text.', maxLength: 'Each item\'s "messageId" must be at most 500 characters.' } })),
  },
  { additionalProperties: true, description: "papermail's own event", 'x-messages': { required: 'Each item needs an "email" and a "type".', type: 'Each item is an object: {email, type, reason}.' } },
);
const SCHEMA: RouteSchema = {
  summary: 'Bounces and complaints after the SMTP answer (WEBHOOK_SECRET)',
  tags: ['Webhooks'],
  security: [{ webhookSecret: [] }, { basic: [] }],
  body: Type.Union(
    [
      Type.Object({}, { additionalProperties: true, description: 'One event of ours; an Amazon SNS envelope (SubscriptionConfirmation, or a Notification of SES); a Postmark Bounce or SpamComplaint' }),
      Type.Array(GenericEvent, { maxItems: 1000, description: 'Events of ours, at most 1,000' }),
    ],
    { 'x-messages': { anyOf: 'Send a JSON object, or an array of at most 1,000 {email, type} items.' } },
  ),
  response: {
    200: Type.Object({ recorded: Type.Optional(Type.Integer()), outcomes: Type.Optional(Type.Array(Type.Object({ email: Type.String(), kind: Type.String(), outcome: Type.String() }))), subscribed: Type.Optional(Type.Boolean()), ignored: Type.Optional(Type.String()) }),
    400: ErrorReply,
    401: ErrorReply,
    403: ErrorReply,
    502: ErrorReply,
  },
};

/** What the bounce webhook needs. */
export interface WebhookDeps {
  config: Pick<ResolvedConfig, 'bounces'>;
  /** Records one bounce or complaint; what became of the address, and the edition a complaint is tied to. */
  bounces: { record(e: BounceEvent, softLimit: number): Promise<{ outcome: 'suppressed' | 'counted'; editionId: number | null }> };
  sns: SnsGate;
  /** Holds the editions that complaints were tied to against the complaint-rate guard (it may pause them). */
  guardComplaints(editionIds: number[]): Promise<unknown>;
}

/**
 * POST /api/webhooks/bounces: bounces and complaints that arrive after the SMTP answer, from Amazon SES
 * (through SNS, including its subscription handshake), Postmark, or papermail's own {email, type, reason}.
 * Authenticated by WEBHOOK_SECRET, checked before the body is read; off (404) without it. An SNS message
 * must also come from a topic in SNS_TOPIC_ARNS and carry Amazon's signature. Each event is recorded on its
 * own: one bad item or one address never fails the others.
 */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps) {
  const secret = deps.config.bounces.webhookSecret;
  if (!secret) return;
  const { snsTopicArns, snsVerifySignatures } = deps.config.bounces;
  // SNS posts its JSON as text/plain.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('The body is not JSON.'), { statusCode: 400 }), undefined);
    }
  });

  // Before the body is read: nobody without the secret gets as far as the parsers.
  const authenticate = async (req: FastifyRequest, reply: FastifyReply) => {
    const given = secretOf(req);
    if (!given || !safeEqual(given, secret)) {
      return reply.code(401).header('www-authenticate', 'Basic realm="papermail webhooks"').send({ error: 'A valid webhook secret is required.', statusCode: 401 });
    }
  };

  /** Refuses an SNS message from a topic not allowed, or without Amazon's signature; null when it may be read. */
  const snsRefusal = async (req: FastifyRequest, body: Record<string, unknown>): Promise<string | null> => {
    const topic = typeof body.TopicArn === 'string' ? body.TopicArn : '';
    if (!snsTopicArns.includes(topic))
      return snsTopicArns.length ? `The SNS topic ${topic.slice(0, 300) || '(none)'} is not one of SNS_TOPIC_ARNS.` : 'SNS messages are taken only from the topics in SNS_TOPIC_ARNS, which is not set.';
    if (!snsVerifySignatures) return null;
    try {
      await deps.sns.verify(body);
      return null;
    } catch (err) {
      req.log.warn({ topic, reason: (err as Error).message }, 'SNS message refused: its signature does not verify');
      return `The SNS message's signature does not verify (${(err as Error).message}).`;
    }
  };

  app.post('/api/webhooks/bounces', { schema: SCHEMA, bodyLimit: 256 * 1024, onRequest: authenticate }, async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body as Record<string, unknown> | null;
    if (body && typeof body === 'object' && SNS_TYPES.has(String(body.Type))) {
      const refused = await snsRefusal(req, body);
      if (refused) return reply.code(403).send({ error: refused, statusCode: 403 });
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
        const editions = new Set<number>();
        for (const e of notice.events) {
          const { outcome, editionId } = await deps.bounces.record(e, deps.config.bounces.softLimit);
          outcomes.push({ email: e.email, kind: e.kind, outcome });
          if (e.kind === 'complaint' && editionId !== null) editions.add(editionId);
        }
        // Recorded first: a guard that fails is logged, and the recovery sweep holds the edition to it again.
        await deps.guardComplaints([...editions]).catch((err: Error) => req.log.warn({ err: err.message }, 'the complaint guard failed'));
        req.log.info({ events: outcomes.length }, 'bounce webhook recorded');
        return { recorded: outcomes.length, outcomes };
      }
    }
  });

  /** Amazon SNS's handshake: GET the SubscribeURL, which must be https on sns.<region>.amazonaws.com. */
  async function confirmSubscription(url: string, reply: FastifyReply) {
    const outcome = await deps.sns.confirm(url);
    if (outcome === 'confirmed') return { subscribed: true };
    if ('invalid' in outcome) return reply.code(400).send({ error: outcome.invalid, statusCode: 400 });
    // SNS sends the confirmation again; a 502 says it did not take.
    return reply.code(502).send({ error: `Could not confirm the SNS subscription: ${outcome.failed}`, statusCode: 502 });
  }
}
