/** Where a suppression or bounce was heard: see schema.ts, suppressions.source. */
export type BounceSource = 'smtp' | 'webhook' | 'dsn' | 'complaint' | 'erased' | 'admin';

/** One bounce or complaint heard after the SMTP answer. */
export interface BounceEvent {
  email: string;
  kind: 'hard' | 'soft' | 'complaint';
  source: BounceSource;
  detail: string | null;
}

export type SuppressionRow = {
  email: string;
  reason: string;
  source: string;
  detail: string | null;
  createdAt: string;
};
