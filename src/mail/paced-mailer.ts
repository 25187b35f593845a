import type { Mailer } from './mailer.js';

/** Waits for the provider's send rate: resolves when one more message may go, to this recipient. */
export interface SendPace {
  take(recipient: string): Promise<void>;
}

/**
 * A mailer that waits for the shared pace before every SMTP transaction: digests, retries and transactional
 * mail alike count against the provider's rate. The wait happens before the message is handed to SMTP.
 */
export function pacedMailer(mailer: Mailer, pace: SendPace): Mailer {
  return {
    async sendRaw(envelope, raw) {
      try {
        await pace.take(envelope.to);
      } catch (err) {
        // Without the shared count the rate cannot be kept: the message waits (our fault, never the reader's).
        const response = `not sent: the send-rate store did not answer (${(err as Error).message.slice(0, 200)})`;
        return { ok: false, class: 'transport', response, signature: 'send-rate store' };
      }
      return mailer.sendRaw(envelope, raw);
    },
    verify: () => mailer.verify(),
    close: () => mailer.close(),
  };
}
