import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SendPace } from '../mail/mailer.js';

/**
 * How a rate is kept to within any second, not only on average: time is cut into slices of `widthMs`, each
 * allowing `perSlice` messages, with perSlice = max(1, ⌊rate / 20⌋) and widthMs = 1000 × perSlice / rate.
 * A second touches at most rate / perSlice + 2 slices, so any second, however placed, carries at most
 * rate + 2 × perSlice messages: ≤ 1.1 × rate from 20 a second, rate + 2 below that. (Counters over whole
 * seconds allow twice the rate in a second that straddles two of them.)
 */
export function paceSlices(rate: number): { perSlice: number; widthMs: number } {
  const perSlice = Math.max(1, Math.floor(rate / 20));
  return { perSlice, widthMs: (1000 * perSlice) / rate };
}

/**
 * The provider's send rate over every worker (SEND_RATE messages a second; SEND_RATE_PER_DOMAIN per
 * recipient domain). Each slice is a counter shared through Redis when there is one, else Postgres (table
 * rate_limits), counted by rate-limiter-flexible: a message takes a place in the current slice, or waits
 * for the next one. Within a process, messages for one key wait in a FIFO line, so only its head asks the
 * store. A store that does not answer rejects (the caller treats it as our fault, never the reader's).
 */
export function createSendPace(opts: {
  rate: number | null;
  perDomain: number | null;
  redis: Redis | Cluster | null;
  pool: pg.Pool;
  prefix: string;
}): SendPace | null {
  if (!opts.rate && !opts.perDomain) return null;
  const pacer = (name: string, rate: number) => {
    const { perSlice, widthMs } = paceSlices(rate);
    // A slice's counter outlives its slice by a second or more: it is only read while the slice is current.
    const duration = Math.ceil(widthMs / 1000) + 1;
    const keyPrefix = `${opts.prefix}-pace-${name}`;
    const limiter: RateLimiterAbstract = opts.redis
      ? new RateLimiterRedis({ storeClient: opts.redis, keyPrefix, points: perSlice, duration })
      : new RateLimiterPostgres({ storeClient: opts.pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, keyPrefix, points: perSlice, duration });
    const takeOne = async (key: string) => {
      for (;;) {
        const slice = Math.floor(Date.now() / widthMs);
        try {
          await limiter.consume(`${key}:${slice}`);
          return;
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          await sleep(Math.max(1, Math.ceil((slice + 1) * widthMs - Date.now())));
        }
      }
    };
    const lines = new Map<string, Promise<void>>();
    return (key: string): Promise<void> => {
      const turn = (lines.get(key) ?? Promise.resolve()).then(() => takeOne(key));
      const settled = turn.catch(() => {});
      lines.set(key, settled);
      void settled.then(() => lines.get(key) === settled && lines.delete(key));
      return turn;
    };
  };
  const all = opts.rate ? pacer('all', opts.rate) : null;
  const domains = opts.perDomain ? pacer('domain', opts.perDomain) : null;
  return {
    async take(recipient) {
      if (domains) await domains(recipient.slice(recipient.lastIndexOf('@') + 1).toLowerCase());
      if (all) await all('all');
    },
  };
}
