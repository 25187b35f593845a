import type { Frequency } from '../config.js';
import { renderConfirm } from '../digest/render-confirm.js';
import { newMessageId, senderDomain, siteHost } from '../mail/addresses.js';
import { envelopeAddress } from '../mail/mailer.js';
import { buildMimeTemplate, type MimeTemplate } from '../mail/mime-template.js';
import type { Deps } from './deps.js';
import type { TransactionalJob } from './queues.js';

/** Seconds a confirmation link stays valid. */
export const CONFIRM_TTL_SECONDS = 7 * 24 * 3600;

/** Creates the transactional processor; each confirmation template is rendered once per process. */
export function createSendConfirm(deps: Deps) {
  const { repos, config, mailer, tokens, log } = deps;
  const templates = new Map<Frequency, Promise<MimeTemplate>>();
  const templateFor = (frequency: Frequency) => {
    let t = templates.get(frequency);
    if (!t) {
      t = renderConfirm(frequency, siteHost(config.publicUrl)).then((r) => buildMimeTemplate({ from: config.mailFrom, ...r }));
      templates.set(frequency, t);
    }
    return t;
  };

  return async function sendConfirm(job: TransactionalJob): Promise<string> {
    const subscriber = await repos.subscribers.byId(job.subscriberId);
    if (!subscriber || subscriber.status !== 'pending') return 'skipped: not pending';
    const template = await templateFor(subscriber.frequency);
    const raw = template.fill({
      to: subscriber.email,
      messageId: newMessageId(['confirm', subscriber.id], senderDomain(config.mailFrom)),
      date: deps.now().toUTCString().replace('GMT', '+0000'),
      actionUrl: `${config.publicUrl}/confirm/${tokens.sign(subscriber.id, 'confirm')}`,
    });
    const outcome = await mailer.sendRaw({ from: envelopeAddress(config.mailFrom), to: subscriber.email }, raw);
    if (outcome.ok) return 'sent';
    if (outcome.permanent) {
      await repos.suppressions.suppress(subscriber.email, 'bounce', outcome.response);
      log.warn({ subscriberId: subscriber.id, response: outcome.response }, 'confirmation rejected: address suppressed');
      return 'rejected';
    }
    // Temporary: BullMQ retries the job with exponential backoff.
    throw new Error(`confirmation not accepted yet: ${outcome.response}`);
  };
}
