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
  return sent >= minSent && sent > 0 && complaints / sent > rate;
}
