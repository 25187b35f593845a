import type { ClaimedDelivery, DeliveryResult } from '../domain/delivery.js';
import { redactOutcome, type SendOutcome } from '../mail/mailer.js';
import type { BreakerSettings } from '../domain/breaker.js';

// What the send pipeline stores for each reader: a skip, or the result of one SMTP outcome.

export interface SendSettings {
  /** Messages in flight per worker process: SMTP_POOL_SIZE, one per connection. */
  lanes: number;
  claimChunk: number;
  leaseSeconds: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Wait before a row that failed on our side is tried again. */
  transportDelayMs: number;
  /** How long a result waits for others to share its commit (group commit); the lane waits with it. */
  resultGroupMs: number;
  breaker: BreakerSettings;
}

export type BatchTotals = { sent: number; failed: number; retry: number; requeue: number; skipped: number; paused: boolean; retryInMs: number | null };

/** One job's tally; `waits` holds each row's latest retry delay (a row retried twice waits for the second). */
export type Batch = { totals: BatchTotals; waits: Map<number, number> };

export function note(batch: Batch, result: DeliveryResult): void {
  batch.totals[result.status]++;
  if (result.status === 'retry' || result.status === 'requeue') batch.waits.set(result.id, result.delayMs);
  else batch.waits.delete(result.id);
}

/** Why a claimed reader was not sent to, by what changed since the edition was assigned. */
export const SKIPPED: Record<NonNullable<ClaimedDelivery['unsendable']>, string> = {
  unsubscribed: 'skipped: unsubscribed since the edition was assigned',
  paused: 'skipped: paused since the edition was assigned (they paused their digests)',
  suppressed: 'skipped: suppressed since the edition was assigned',
};

export const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();
/** Turns one SMTP outcome into the delivery's result, by the one policy (mail/smtp-outcome.ts). */
export function resultOf(d: ClaimedDelivery, token: string, outcome: SendOutcome, messageId: string, s: SendSettings, random = Math.random): DeliveryResult {
  if (!outcome.ok) outcome = redactOutcome(outcome, d.email);
  const base = { id: d.id, token, response: outcome.response };
  if (outcome.ok) return { ...base, status: 'sent', messageId: `<${messageId}>` };
  switch (outcome.class) {
    case 'dead':
      return { ...base, status: 'failed', suppress: d.email };
    case 'refused':
      return { ...base, status: 'failed', suppress: null };
    case 'transport':
      return { ...base, status: 'requeue', delayMs: s.transportDelayMs };
    case 'temporary':
      if (d.attempts >= s.maxAttempts) return { ...base, status: 'failed', suppress: null, response: `${outcome.response} (gave up after ${d.attempts} attempts)` };
      // Exponential backoff with full jitter in [0.5, 1.5): retries of one storm do not arrive together.
      return { ...base, status: 'retry', delayMs: Math.round(s.retryBaseMs * 2 ** (d.attempts - 1) * (0.5 + random())) };
  }
}

/** What a probe found: `passed` when no answer blamed our side (or the answer the edition paused on). */
export type ProbeResult = { passed: boolean; sent: number; tried: number; why: string };
