import type { ResolvedConfig } from '../config.js';
import type { Mailer } from '../mail/mailer.js';
import type { Logger } from './logger.js';
import { withTimeout, type Producer } from './queues.js';
import type { AudienceStore, EditionStore, OutstandingRows, PauseStore } from './stores.js';
import type { ProbeResult } from './send-outcome.js';

/** The longest wait between two probes of a paused edition. */
const MAX_PROBE_WAIT_SECONDS = 30 * 60;

/**
 * The breaker's half-open state. For each edition it paused whose probe is due: first an SMTP login with no
 * message, then a handful of real messages (the pipeline's probe). When both pass, the edition resumes by
 * itself and a person is told; when either fails, the next probe waits twice as long (up to 30 minutes).
 * Returns how many editions resumed.
 */
export interface ProbePort {
  pauses: Pick<PauseStore, 'takeDueProbes' | 'probeFailed' | 'resume'>;
  mailer: Pick<Mailer, 'verify'>;
  producer: Pick<Producer, 'buildEdition' | 'alert'>;
  config: Pick<ResolvedConfig, 'send'>;
  log: Logger;
}

export async function probePaused(deps: ProbePort, probe: (editionId: number, n: number, pausedSignature: string | null) => Promise<ProbeResult>): Promise<number> {
  const { pauses, config, log } = deps;
  const { cooldownSeconds, probeMessages } = config.send.pause;
  let resumed = 0;
  // Taken for five minutes: a worker that dies mid-probe leaves it to the next sweep after that.
  for (const e of await pauses.takeDueProbes(300)) {
    const failed = async (why: string) => {
      const next = await pauses.probeFailed(e.id, cooldownSeconds, MAX_PROBE_WAIT_SECONDS);
      log.warn({ editionId: e.id, probes: e.probes + 1, nextProbeAt: next?.toISOString(), why }, 'breaker probe failed: the edition stays paused');
    };
    try {
      await withTimeout(deps.mailer.verify(), 30_000, 'The SMTP server');
    } catch (err) {
      await failed(`the SMTP login failed: ${(err as Error).message}`);
      continue;
    }
    const result = await probe(e.id, probeMessages, e.signature);
    if (!result.passed) {
      await failed(result.why);
      continue;
    }
    if ((await pauses.resume(e.id)) !== 'resumed') continue;
    resumed++;
    log.info({ editionId: e.id, probe: result.why }, 'edition resumed by itself: the relay answers again');
    await deps.producer.buildEdition(e.id, `probe${Date.now()}`).catch(() => {});
    await deps.producer
      .alert({ kind: 'alert', editionId: e.id, event: 'resumed', detail: `A probe passed (${result.why}); sending resumed by itself.` }, `${e.id}-resumed-${Date.now()}`)
      .catch((err: Error) => log.warn({ editionId: e.id, err: err.message }, 'could not queue the alert'));
  }
  return resumed;
}

/**
 * Recovery is a query, not a hope. Each sweep (every RECOVER_INTERVAL_SECONDS, and when a worker starts):
 * an edition whose assigning job has stopped beating while a target still has no row is built again,
 * whatever its status and whatever the queue did with the job (stalled twice, failed, lost); an edition
 * with rows still queued or held past their lease gets a send job for them. Claims make extra jobs harmless.
 */
export interface RecoverPort {
  editions: Pick<EditionStore, 'unfinished' | 'byId' | 'markAssigned'>;
  readers: Pick<AudienceStore, 'targets'>;
  deliveries: OutstandingRows;
  producer: Pick<Producer, 'buildEdition' | 'sendLater'>;
  /** Marks an edition sent when its ledger balances (finish-edition.ts). */
  finish(id: number): Promise<boolean>;
  config: Pick<ResolvedConfig, 'send' | 'digest'>;
  now: () => Date;
}

export async function recoverEditions(deps: RecoverPort): Promise<{ rebuilt: number; resent: number }> {
  const { producer, config } = deps;
  // Job ids per sweep interval: a sweep never queues the same work twice, and the next one may redo it.
  const every = config.send.recoverIntervalSeconds * 1000;
  const bucket = (at: number) => Math.floor(at / every);
  const staleSeconds = Math.min(config.send.leaseSeconds, 120);
  let rebuilt = 0;
  let resent = 0;
  for (const e of await deps.editions.unfinished(staleSeconds)) {
    if (e.stale && (e.status === 'pending' || e.status === 'assigning')) {
      const edition = await deps.editions.byId(e.id);
      if (edition && (await deps.readers.targets(edition, 0, 1, config.digest.catchUpHours * 3600)).length) {
        await producer.buildEdition(e.id, `recover${bucket(deps.now().getTime())}`);
        rebuilt++;
        continue;
      }
      await deps.editions.markAssigned(e.id);
    }
    if (e.status === 'pending') continue;
    const open = await deps.deliveries.outstanding(e.id, config.send.leaseSeconds);
    if (!open) {
      await deps.finish(e.id);
      continue;
    }
    await producer.sendLater(e.id, [open.from, open.to], open.dueInMs, `recover${bucket(deps.now().getTime() + open.dueInMs)}`);
    resent++;
  }
  return { rebuilt, resent };
}
