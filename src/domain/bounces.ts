/** Where a suppression or bounce was heard: see schema.ts, suppressions.source. */
export type BounceSource = 'smtp' | 'webhook' | 'dsn' | 'complaint' | 'erased' | 'admin';

/** One bounce or complaint heard after the SMTP answer. */
export interface BounceEvent {
  email: string;
  kind: 'hard' | 'soft' | 'complaint';
  source: BounceSource;
  detail: string | null;
  /** The reported message's Message-ID, when the report carries it (ARF, SES, ours): ties a complaint to its edition. */
  messageId?: string | null;
}

export type SuppressionRow = {
  email: string;
  reason: string;
  source: string;
  detail: string | null;
  createdAt: string;
};

/**
 * Whether an edition's complaints call for a pause: above `rate` of what it sent, once at least `minSent`
 * were sent (fewer say too little: one complaint in 100 is 1 %).
 */
export function complaintRateExceeded(complaints: number, sent: number, rate: number, minSent: number): boolean {
  // In parts per million, whole numbers: 0.3 / 100 is 0.0029999999999999996 in floating point, and 3 of
  // 1,000 must not count as above it.
  return sent >= minSent && sent > 0 && complaints * 1_000_000 > Math.round(rate * 1_000_000) * sent;
}
