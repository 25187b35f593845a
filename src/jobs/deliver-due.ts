import type { Frequency, Edition } from '../domain/edition.js';
import { localHour, periodOf } from '../domain/period.js';
import type { ResolvedConfig } from '../config.js';
import type { Logger } from './logger.js';
import type { AudienceStore, EditionStore } from './stores.js';

/** What the delivery tick reads and writes; it builds editions through `build` (build-edition.ts). */
export interface DuePort {
  editions: Pick<EditionStore, 'ensure' | 'target' | 'byId'>;
  readers: Pick<AudienceStore, 'anyDue' | 'skipMissed' | 'skipDue'>;
  build(editionId: number, opts: { fixPool?: boolean }): Promise<void>;
  config: Pick<ResolvedConfig, 'digest'>;
  log: Logger;
  now: () => Date;
}

/**
 * The edition a reader due at `at` gets: the period's edition (a DIGEST_TZ day or ISO week) while its pool
 * is younger than DIGEST_POOL_HOURS, else a refreshed edition of the same period, one per block of that many
 * hours (`2026-11-30@18`). So a reader in Tokyo, due late in the UTC day, gets papers as fresh as one in
 * Berlin; each still gets one digest per local day, by the delivery's slot.
 */
async function currentEdition(deps: Pick<DuePort, 'editions' | 'config'>, frequency: Frequency, at: Date): Promise<Edition> {
  const { tz, poolHours } = deps.config.digest;
  const period = periodOf(frequency, at, tz);
  const { edition } = await deps.editions.ensure(frequency, period, false);
  const stale = (e: Edition) => e.builtAt !== null && at.getTime() - e.builtAt.getTime() >= poolHours * 3600_000;
  if (!stale(edition)) return edition;
  const block = Math.floor(localHour(at, tz) / poolHours) * poolHours;
  return (await deps.editions.ensure(frequency, `${period}@${String(block).padStart(2, '0')}`, false)).edition;
}

/**
 * The delivery tick (every 5 minutes, and at each DIGEST_CRON_* time with `buildNow`): for each frequency,
 * readers whose next_send_at has come get the current edition, each at most once per local day (or week).
 * A reader due within CATCH_UP_HOURS is caught up by whichever tick runs next, so a missed tick or a worker
 * that was down loses nobody; one due longer ago is skipped for that day, with the reason, and moves on.
 */
export async function deliverDue(
  deps: DuePort,
  frequencies: readonly Frequency[] = ['daily', 'weekly'],
  opts: { buildNow?: boolean } = {},
): Promise<Partial<Record<Frequency, number>>> {
  const at = deps.now();
  const catchUp = deps.config.digest.catchUpHours * 3600;
  const out: Partial<Record<Frequency, number>> = {};
  for (const frequency of frequencies) {
    // The common tick: nobody due, one probe of the due index, nothing else.
    if (!opts.buildNow && !(await deps.readers.anyDue(frequency, at))) continue;
    const edition = await currentEdition(deps, frequency, at);
    const missed = await deps.readers.skipMissed(edition.id, frequency, at, catchUp);
    if (missed) deps.log.warn({ frequency, missed }, `readers skipped: due more than CATCH_UP_HOURS (${deps.config.digest.catchUpHours}) ago`);
    if (edition.status !== 'empty') {
      await deps.editions.target(edition.id, { dueAt: at });
      await deps.build(edition.id, { fixPool: opts.buildNow });
      out[frequency] = edition.id;
    }
    // Nothing to send this period (no new papers): the readers due now are told so in their delivery row,
    // and their schedule moves on; they do not linger until the catch-up window skips them.
    const now = await deps.editions.byId(edition.id);
    if (now?.status === 'empty') await deps.readers.skipDue(edition.id, frequency, at, now.note ?? 'no new papers');
  }
  return out;
}
