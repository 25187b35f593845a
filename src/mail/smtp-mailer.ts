import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Mailer, SendOutcome } from './mailer.js';
import { classifySmtpFailure, type SmtpFailure } from './smtp-outcome.js';

/** A nodemailer failure as a SendOutcome; anything that is not an Error is a transport failure. */
export function outcomeOfError(err: unknown): SendOutcome {
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as SmtpFailure;
  return { ok: false, ...classifySmtpFailure(e) };
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
        return outcomeOfError(err);
      }
    },
    async verify() {
      await transport.verify();
    },
    async close() {
      transport.close();
    },
  };
}
