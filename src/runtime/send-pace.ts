import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterQueue, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SendPace } from '../mail/paced-mailer.js';

/**
 * The provider's send rate over every worker (SEND_RATE messages a second; SEND_RATE_PER_DOMAIN per
 * recipient domain): a token bucket shared through Redis when there is one, else Postgres (rate-limiter-flexible,
 * table rate_limits), spread evenly over each second. Each process waits its turn in a FIFO queue.
 */
export function createSendPace(opts: {
  rate: number | null;
  perDomain: number | null;
  redis: Redis | Cluster | null;
  pool: pg.Pool;
  prefix: string;
}): SendPace | null {
  if (!opts.rate && !opts.perDomain) return null;
  const limiter = (name: string, points: number): RateLimiterAbstract =>
    opts.redis
      ? new RateLimiterRedis({ storeClient: opts.redis, keyPrefix: `${opts.prefix}-pace-${name}`, points, duration: 1, execEvenly: true })
      : new RateLimiterPostgres({ storeClient: opts.pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, keyPrefix: `${opts.prefix}-pace-${name}`, points, duration: 1, execEvenly: true });
  const all = opts.rate ? new RateLimiterQueue(limiter('all', opts.rate)) : null;
  const domains = opts.perDomain ? new RateLimiterQueue(limiter('domain', opts.perDomain)) : null;
  return {
    async take(recipient) {
      if (domains) await domains.removeTokens(1, recipient.slice(recipient.lastIndexOf('@') + 1).toLowerCase());
      if (all) await all.removeTokens(1);
    },
  };
}
