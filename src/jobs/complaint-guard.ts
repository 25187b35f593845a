import { complaintRateExceeded } from '../domain/bounces.js';
import type { ResolvedConfig } from '../config.js';
import type { Logger } from './logger.js';
import type { Producer } from './queues.js';

/** An edition being sent, with the complaints tied to it and how many of its readers were sent to. */
interface ComplaintCount {
  id: number;
  complaints: number;
  sent: number;
}

/** What the complaint guard uses: the counts, the pause, and the alert queue. */
export interface ComplaintGuardPort {
  /** Editions assigning or sending that have complaints (only `ids`, when given). */
  complaintCounts(ids: number[] | null): Promise<ComplaintCount[]>;
  pause(id: number, reason: string, opts: { kind: 'complaints' }): Promise<boolean>;
  producer: Pick<Producer, 'alert'>;
  config: Pick<ResolvedConfig, 'bounces'>;
  log: Logger;
  now: () => Date;
}

const percent = (x: number) => `${(x * 100).toFixed(2)} %`;

/**
 * The complaint-rate guard: an edition being sent whose complaints pass COMPLAINT_PAUSE_RATE of its sent
 * messages, once at least COMPLAINT_MIN_SENT were sent, pauses with the rate in its reason, and a person is
 * told. It does not resume by itself: complaints are readers' verdicts, not a fault that passes; after an
 * operator's resume, only new complaints count (see ReportStore's complaintCounts). Run when a
 * complaint arrives (for its edition) and on every recovery sweep (for every edition being sent). Returns the
 * editions it paused.
 */
export function createComplaintGuard(deps: ComplaintGuardPort) {
  const { rate, minSent } = deps.config.bounces.complaintGuard;
  return async function guardComplaints(ids: number[] | null = null): Promise<number[]> {
    if (ids && !ids.length) return [];
    const paused: number[] = [];
    for (const e of await deps.complaintCounts(ids)) {
      if (!complaintRateExceeded(e.complaints, e.sent, rate, minSent)) continue;
      const reason = `complaint rate ${percent(e.complaints / e.sent)} (${e.complaints} complaints of ${e.sent} sent) passed COMPLAINT_PAUSE_RATE ${percent(rate)}: resume it once you know why readers complain`;
      if (!(await deps.pause(e.id, reason, { kind: 'complaints' }))) continue;
      paused.push(e.id);
      deps.log.error({ editionId: e.id, complaints: e.complaints, sent: e.sent }, 'edition paused by the complaint guard');
      await deps.producer
        .alert({ kind: 'alert', editionId: e.id, event: 'paused', detail: reason }, `${e.id}-complaints-${deps.now().getTime()}`)
        .catch((err: Error) => deps.log.warn({ editionId: e.id, err: err.message }, 'could not queue the alert'));
    }
    return paused;
  };
}
