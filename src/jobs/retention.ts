import type { ResolvedConfig } from '../config.js';
import type { Logger } from './logger.js';
import type { ReaderRecords } from './stores.js';

export interface RetentionPort {
  readers: Pick<ReaderRecords, 'forgetNetworkTraces'>;
  config: Pick<ResolvedConfig, 'privacy'>;
  log: Logger;
}

/** Forgets the IPs and browsers of readers who never confirmed or who left, past RETENTION_DAYS (daily). */
export async function forgetStaleTraces(deps: RetentionPort): Promise<number> {
  const days = deps.config.privacy.retentionDays;
  const forgotten = await deps.readers.forgetNetworkTraces(days);
  if (forgotten) deps.log.info({ readers: forgotten, days }, 'network traces of stale signups and leavers forgotten');
  return forgotten;
}
