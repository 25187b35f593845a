import type { DeliveryResult } from '../db/deliveries-repo.js';
import { deliveryMessageId, mailDate, messageIdTag, readerLinks, senderDomain } from '../mail/addresses.js';
import { envelopeAddress, redactOutcome } from '../mail/mailer.js';
import { compileTemplate, type MimeTemplate } from '../mail/mime-template.js';
import type { Deps } from './deps.js';
import type { SendJob } from './queues.js';

// Rows claimed at a time: a crash can re-send at most what was in flight, never a whole batch.
const CLAIM_CHUNK = 100;

/** Runs `fn` over items with at most `limit` promises in flight. */
async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

/** Creates the send processor; it keeps compiled templates so a batch never re-parses one. */
export function createSendBatch(deps: Deps) {
  const { repos, config, mailer, tokens, log } = deps;
  const templates = new Map<string, MimeTemplate | null>();
  const from = envelopeAddress(config.mailFrom);
  const domain = senderDomain(config.mailFrom);
  const tag = messageIdTag(config.secret);

  // Compiled once per render and kept for the next batches; a worker sees few renders at a time.
  async function templateOf(editionId: number, renderId: number | null): Promise<MimeTemplate | null> {
    const key = `${editionId}:${renderId ?? ''}`;
    if (templates.has(key)) return templates.get(key)!;
    const source = await repos.editions.template(editionId, renderId);
    const t = source ? compileTemplate(source) : null;
    templates.set(key, t);
    if (templates.size > 256) templates.delete(templates.keys().next().value!);
    return t;
  }

  return async function sendBatch(job: SendJob): Promise<{ sent: number; failed: number; retry: number }> {
    const totals = { sent: 0, failed: 0, retry: 0 };
    const retries: DeliveryResult[] = [];
    for (;;) {
      const claimed = await repos.deliveries.claim(job.editionId, job.from, job.to, config.send.leaseSeconds, CLAIM_CHUNK);
      if (!claimed.length) break;
      const results: DeliveryResult[] = [];
      // One Date for the chunk: it is sent within seconds, and this keeps per-reader work to substitution.
      const date = mailDate(deps.now());
      await forEachLimit(claimed, config.send.poolSize * 2, async (d) => {
        if (!d.sendable) {
          results.push({ id: d.id, status: 'failed', response: 'skipped: reader unsubscribed, paused or suppressed before sending', messageId: null });
          return;
        }
        const template = await templateOf(job.editionId, d.renderId);
        if (!template) return void results.push({ id: d.id, status: 'failed', response: 'no rendered message for this delivery', messageId: null });
        const messageId = deliveryMessageId(job.editionId, d.id, tag, domain);
        const raw = template.fill({
          to: d.email,
          messageId,
          date,
          ...readerLinks(config.publicUrl, tokens, d.subscriberId),
        });
        const answer = await mailer.sendRaw({ from, to: d.email }, raw);
        const outcome = answer.ok ? answer : redactOutcome(answer, d.email);
        if (outcome.ok) return void results.push({ id: d.id, status: 'sent', response: outcome.response, messageId: `<${messageId}>` });
        if (outcome.permanent) {
          await repos.suppressions.suppress(d.email, 'bounce', outcome.response);
          return void results.push({ id: d.id, status: 'failed', response: outcome.response, messageId: null });
        }
        const attempts = d.attempts;
        if (attempts >= config.send.maxAttempts)
          return void results.push({ id: d.id, status: 'failed', response: `gave up after ${attempts} attempts: ${outcome.response}`, messageId: null });
        const retryAt = new Date(deps.now().getTime() + config.send.retryBaseMs * 2 ** (attempts - 1));
        results.push({ id: d.id, status: 'retry', response: outcome.response, messageId: null, retryAt });
      });
      await repos.deliveries.record(results);
      for (const r of results) totals[r.status]++;
      retries.push(...results.filter((r) => r.status === 'retry'));
    }
    if (retries.length) {
      const ids = retries.map((r) => r.id);
      const due = Math.min(...retries.map((r) => (r.status === 'retry' ? r.retryAt.getTime() : Infinity)));
      await deps.producer.sendLater(job.editionId, [Math.min(...ids), Math.max(...ids)], due - deps.now().getTime(), `retry${due}`);
    }
    await repos.editions.finishIfDone(job.editionId);
    if (totals.sent + totals.failed + totals.retry) log.info({ ...job, ...totals }, 'send batch done');
    return totals;
  };
}
