import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Mailer, SendOutcome } from './mailer.js';
import { classifySmtpFailure, type SmtpFailure } from './smtp-outcome.js';

/** A nodemailer failure as a SendOutcome; anything that is not an Error is a transport failure. */
export function outcomeOfError(err: unknown): SendOutcome {
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as SmtpFailure;
  return { ok: false, ...classifySmtpFailure(e) };
}

/** The DKIM key: domain (d=), selector (s=) and the RSA private key in PEM. */
export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** The headers every signature covers (h=): the identity of the message, and both RFC 8058 unsubscribe headers. */
export const DKIM_SIGNED_HEADERS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:List-Id:List-Unsubscribe:List-Unsubscribe-Post:Feedback-ID';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

/**
 * A pooled nodemailer SMTP transport behind the Mailer interface. Certificates are verified, except
 * on loopback, where a local relay or catcher commonly offers STARTTLS with a self-signed certificate
 * and TLS protects nothing. Query options such as `?tls.rejectUnauthorized=false` still apply.
 */
export function createSmtpMailer(url: string, opts: { poolSize: number; dkim?: DkimKey | null }): Mailer {
  const loopback = LOOPBACK.test(new URL(url).hostname);
  const transport = nodemailer.createTransport({
    url,
    // nodemailer signs each message as it leaves, after the reader's slots are filled: the signature covers
    // this reader's own headers and body. The field list names both unsubscribe headers (RFC 8058 §4).
    ...(opts.dkim ? { dkim: { ...opts.dkim, headerFieldNames: DKIM_SIGNED_HEADERS } } : {}),
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
