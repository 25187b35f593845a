import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Mailer, SendOutcome } from './mailer.js';

interface SmtpError extends Error {
  responseCode?: number;
  response?: string;
  code?: string;
}

/** Sorts an SMTP failure: 5xx is permanent; 4xx, timeouts and dropped connections are worth a retry. */
export function classifySmtpError(err: unknown): SendOutcome {
  const e = err as SmtpError;
  const code = typeof e?.responseCode === 'number' ? e.responseCode : null;
  const response = (e?.response ?? e?.message ?? String(err)).slice(0, 500);
  return { ok: false, permanent: code !== null && code >= 500 && code < 600, response };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

/**
 * A pooled nodemailer SMTP transport behind the Mailer interface. Certificates are verified, except
 * on loopback, where a local relay or catcher commonly offers STARTTLS with a self-signed certificate
 * and TLS protects nothing. Query options such as `?tls.rejectUnauthorized=false` still apply.
 */
export function createSmtpMailer(url: string, opts: { poolSize: number }): Mailer {
  const loopback = LOOPBACK.test(new URL(url).hostname);
  const transport = nodemailer.createTransport({
    url,
    ...(loopback ? { tls: { rejectUnauthorized: false } } : {}),
    pool: true,
    maxConnections: opts.poolSize,
    maxMessages: Infinity,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  } as SMTPPool.Options);
  return {
    async sendRaw(envelope, raw) {
      try {
        const info = await transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
        return { ok: true, response: String(info.response ?? '') };
      } catch (err) {
        return classifySmtpError(err);
      }
    },
    async close() {
      transport.close();
    },
  };
}
