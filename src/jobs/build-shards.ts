import type { Edition } from '../domain/edition.js';
import type { ResolvedConfig } from '../config.js';
import type { Logger } from './logger.js';
import type { Producer } from './queues.js';
import type { AudienceStore, ShardStore } from './stores.js';

/** What splitting an edition's audience into shards uses. */
export interface ShardPort {
  shards: ShardStore;
  readers: Pick<AudienceStore, 'shardStarts'>;
  producer: Pick<Producer, 'buildShards'>;
  config: Pick<ResolvedConfig, 'digest' | 'send'>;
  log: Logger;
  now: () => Date;
}

/**
 * Splits a large audience into shards (once per edition) and queues a job for each shard that has none
 * alive. Returns false when the edition has no shard left to assign (or too few readers for shards): the
 * caller then assigns the whole edition itself.
 */
export async function startShards(deps: ShardPort, edition: Edition): Promise<boolean> {
  const { config } = deps;
  let shards = await deps.shards.shards(edition.id);
  if (!shards.length) {
    const starts = await deps.readers.shardStarts(edition.frequency, config.digest.shardReaders);
    if (starts.length < 2) return false;
    shards = await deps.shards.planShards(edition.id, starts);
  }
  if (shards.every((s) => s.done)) return false;
  // A shard whose job beat recently is left to it; the others (new, or their job lost) get one now.
  const lost = await deps.shards.claimShards(edition.id, Math.min(config.send.leaseSeconds, 120));
  if (lost.length) {
    // Not queued (the queue is down): the shards are given back, so that this job's retry, or recovery, queues them.
    await deps.producer.buildShards(edition.id, lost, String(deps.now().getTime())).catch(async (err: unknown) => {
      await deps.shards.releaseShards(edition.id, lost);
      throw err;
    });
  }
  deps.log.info({ editionId: edition.id, shards: shards.length, queued: lost.length }, 'assigning in shards');
  return true;
}
