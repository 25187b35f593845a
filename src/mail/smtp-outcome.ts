/**
 * The one SMTP outcome policy, shared by every send path (digests, confirmations, welcome mail).
 * It reads the SMTP phase (nodemailer's `command`), the reply code and the RFC 3463 enhanced status
 * code, and answers whose fault a failure is. Only a dead recipient ever leads to a suppression.
 */

/**
 * - `dead`: the mailbox or its domain does not exist (5.1.x, 5.2.1 at RCPT): suppress the address.
 * - `refused`: this reader's message was refused for good (mailbox full, policy): fail, do not suppress.
 * - `temporary`: a 4xx: retry later with backoff, counted against the reader's attempts.
 * - `transport`: our side failed (auth, TLS, DNS, sender, connection, timeout): not the reader's fault;
 *   the delivery goes back to the queue uncounted and the circuit breaker hears of it.
 */
export type FailureClass = 'dead' | 'refused' | 'temporary' | 'transport';

/** The fields of a nodemailer SMTP error that the policy reads. */
export interface SmtpFailure {
  command?: string;
  responseCode?: number;
  response?: string;
  code?: string;
  message?: string;
}

export interface Classified {
  class: FailureClass;
  /** The server's answer (or the error message), at most 500 characters. */
  response: string;
  /** Reply code and enhanced code, e.g. "550 5.1.1": equal signatures mean "failing the same way". */
  signature: string;
}

const ENHANCED = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/;

/** The RFC 3463 enhanced status code of a reply, when it carries one. */
export function enhancedCode(response: string | undefined): string | null {
  return ENHANCED.exec(response ?? '')?.[1] ?? null;
}

// Phases before the recipient is named: a failure there is about us (our login, our sender, our TLS).
const OUR_PHASES = /^(CONN|EHLO|HELO|LHLO|STARTTLS|AUTH\b|MAIL FROM|API|RSET)/i;
// Enhanced codes that name our side even when they arrive at RCPT or DATA: sender address (5.1.7, 5.1.8),
// protocol (5.5.x), and security of our session (5.7.0 auth required, 5.7.8 bad credentials, 5.7.9, 5.7.11).
const OUR_CODES = /^5\.(1\.[78]|5\.\d+|7\.(0|8|9|11))$/;
const DEAD_CODES = /^5\.(1\.\d+|2\.1)$/;

/** Classifies one failed send by phase, reply code and enhanced code. */
export function classifySmtpFailure(err: SmtpFailure): Classified {
  const code = typeof err.responseCode === 'number' ? err.responseCode : null;
  const response = String(err.response ?? err.message ?? 'unknown error').slice(0, 500);
  const enhanced = enhancedCode(err.response);
  const signature = code ? `${code}${enhanced ? ` ${enhanced}` : ''}` : `${err.code ?? 'ERROR'} ${err.command ?? ''}`.trim();
  const command = err.command ?? '';
  const out = (c: FailureClass): Classified => ({ class: c, response, signature });
  // No reply at all: a refused connection, a timeout, DNS, TLS, a dropped socket. Never the reader's fault.
  if (code === null) return out(err.code === 'EENVELOPE' && /Invalid recipient/.test(response) ? 'refused' : 'transport');
  if (code >= 400 && code < 500) return out('temporary');
  if (code < 500 || code >= 600) return out('transport');
  if (OUR_PHASES.test(command) || (enhanced && OUR_CODES.test(enhanced))) return out('transport');
  if (/^RCPT/i.test(command)) return out(enhanced && DEAD_CODES.test(enhanced) ? 'dead' : 'refused');
  if (/^DATA/i.test(command)) return out('refused');
  return out('transport');
}
