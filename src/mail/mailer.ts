import { escapeRegExp } from '../domain/html.js';
import type { FailureClass } from './smtp-outcome.js';

/** The outcome of handing one message to the SMTP server, classified by the one policy (smtp-outcome.ts). */
export type SendOutcome =
  | { ok: true; response: string }
  | { ok: false; class: FailureClass; response: string; signature: string };

/**
 * A prebuilt RFC 5322 message: its text, or its pieces in order, joined with nothing between them. A digest
 * is pieces: most are the edition's shared encoded parts, so no reader's message is built as one string.
 */
export type RawMessage = string | readonly string[];

/** The message's text (pieces joined). */
export const rawText = (raw: RawMessage): string => (typeof raw === 'string' ? raw : raw.join(''));

/** Waits for the provider's send rate: resolves when one more message may go, to this recipient. */
export interface SendPace {
  take(recipient: string): Promise<void>;
}

/** Where messages go: the sending pipeline depends on this, never on nodemailer directly. */
export interface Mailer {
  /** Sends one prebuilt RFC 5322 message to one envelope recipient. */
  sendRaw(envelope: { from: string; to: string }, raw: RawMessage): Promise<SendOutcome>;
  /** Checks the connection and login without sending; rejects with the reason. */
  verify(): Promise<void>;
  close(): Promise<void>;
}

/** Pulls the bare address out of a From value such as `papermail <digest@example.org>`. */
export function envelopeAddress(from: string): string {
  const m = /<([^<>]+)>\s*$/.exec(from);
  return (m ? m[1]! : from).trim();
}

/** SMTP answers often quote the recipient; stored answers must not keep an address an erasure removes. */
export function redactOutcome<T extends SendOutcome>(outcome: T, email: string): T {
  const re = new RegExp(escapeRegExp(email), 'gi');
  return { ...outcome, response: outcome.response.replace(re, '<recipient>') };
}
