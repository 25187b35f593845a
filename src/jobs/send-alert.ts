import { newMessageId, senderDomain } from '../mail/addresses.js';
import { envelopeAddress } from '../mail/mailer.js';
import { composePlainMessage } from '../mail/compose/mime-template.js';
import type { ResolvedConfig } from '../config.js';
import type { Mailer } from '../mail/mailer.js';
import type { Logger } from './logger.js';
import type { PauseStore, ReportStore } from './stores.js';
import type { AlertChannel, AlertJob } from './queues.js';

/**
 * Tells a person that an edition paused or resumed by itself: a plain mail to ALERT_EMAIL, through the same
 * SMTP server but not through the sending pipeline (no breaker, no pace), and a JSON POST to
 * ALERT_WEBHOOK_URL, each its own job (see AlertChannel). A failure throws, and the queue tries again for
 * hours: the relay an alert is about is often the one it must go through.
 */
export interface AlertPort {
  reports: ReportStore;
  pauses: Pick<PauseStore, 'paused'>;
  mailer: Pick<Mailer, 'sendRaw'>;
  config: Pick<ResolvedConfig, 'alerts' | 'publicUrl' | 'brand' | 'mailFrom'>;
  log: Logger;
}

export function createSendAlert(deps: AlertPort) {
  const { config, mailer, reports, pauses, log } = deps;
  return async function sendAlert(job: AlertJob): Promise<string> {
    const by = (channel: AlertChannel) => !job.channel || job.channel === channel;
    const email = by('mail') ? config.alerts.email : undefined;
    const webhookUrl = by('webhook') ? config.alerts.webhookUrl : undefined;
    if (!email && !webhookUrl) return `no one to tell ${job.channel ? `by ${job.channel} ` : ''}(ALERT_EMAIL and ALERT_WEBHOOK_URL unset)`;
    const edition = await reports.stats(job.editionId);
    const ledger = await reports.ledger(job.editionId);
    const link = `${config.publicUrl}/admin/editions/${job.editionId}`;
    const what = job.event === 'paused' ? 'paused' : 'resumed by itself';
    const subject = `[${config.brand.name}] Edition #${job.editionId} ${what}`;
    const next = job.event === 'paused' && edition?.status === 'paused' ? (await pauses.paused()).find((p) => p.id === job.editionId)?.nextProbeAt : null;
    const text = [
      `Edition #${job.editionId} (${edition?.frequency ?? ''} ${edition?.period ?? ''}) ${what}.`,
      '',
      job.detail,
      '',
      ledger ? `Its readers: ${ledger.sent} sent, ${ledger.open} still to send, ${ledger.failed} failed, of ${ledger.target}.` : '',
      next ? `The breaker probes the relay again at ${next.toISOString()}; once a probe passes, sending resumes by itself.` : '',
      job.event === 'paused' ? 'Nobody was suppressed for it. Nothing needs doing unless the fault is yours to fix (a password, a sender, a relay); the console shows it:' : 'The console shows it:',
      link,
    ]
      .filter((l, i, all) => l !== '' || (all[i - 1] ?? '') !== '')
      .join('\n');
    if (email) {
      const raw = await composePlainMessage({ from: config.mailFrom, to: email, subject, text, messageId: newMessageId(['alert', job.editionId, job.event], senderDomain(config.mailFrom)) });
      const answer = await mailer.sendRaw({ from: envelopeAddress(config.mailFrom), to: email }, raw);
      if (!answer.ok) throw new Error(`the alert to ${email} was not accepted: ${answer.response}`);
    }
    if (webhookUrl) {
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: `edition.${job.event}`, editionId: job.editionId, detail: job.detail, status: edition?.status ?? null, ledger, url: link, text: `${subject}: ${job.detail}` }),
        signal: AbortSignal.timeout(10_000),
        redirect: 'error',
      });
      await res.body?.cancel().catch(() => {});
      if (!res.ok) throw new Error(`the alert webhook answered ${res.status}`);
    }
    log.info({ editionId: job.editionId, event: job.event, channel: job.channel }, 'alert sent');
    return 'sent';
  };
}
