import { createHmac } from 'node:crypto';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { mailboxKey } from '../domain/mailbox.js';

/** Counts confirmation mails per inbox; a signup past the count stores nothing and mails nothing. */
export interface MailboxThrottle {
  /** Takes one of the inbox's mails for today; false when it has none left. */
  take(email: string): Promise<boolean>;
  /** Gives a taken mail back (the signup owed no mail after all: the reader was already active). */
  refund(email: string): Promise<void>;
}

/** The service-wide ceiling on confirmation mails per hour. */
export interface ConfirmCeiling {
  /** Takes a slot for one confirmation mail now; returns 0, or the milliseconds to wait for the next slot. */
  wait(): Promise<number>;
}

/** One-per-while throttle for mail a reader asks for (the data link). */
export interface RequestThrottle {
  take(key: string): Promise<boolean>;
}

export interface RateLimits {
  mailbox: MailboxThrottle;
  confirmations: ConfirmCeiling;
  dataLinks: RequestThrottle;
}

const DAY = 24 * 3600;
const HOUR = 3600;

/**
 * Counters shared by every API and worker process, kept in Postgres (the one store every installation has)
 * by rate-limiter-flexible, in the `rate_limits` table of migration 0005. Keys hold a keyed hash, never an
 * address, so an erased reader leaves nothing readable here.
 */
export function createRateLimits(pool: pg.Pool, secret: string, settings: { mailboxPerDay: number; confirmsPerHour: number }): RateLimits {
  const limiter = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterPostgres({ storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, keyPrefix, points, duration });
  const hash = (v: string) => createHmac('sha256', secret).update(`limit|${v}`).digest('base64url').slice(0, 32);
  const allowed = async (l: RateLimiterPostgres, key: string) => {
    try {
      await l.consume(key);
      return true;
    } catch (res) {
      if (res instanceof RateLimiterRes) return false;
      throw res;
    }
  };
  const mailbox = limiter('mailbox', settings.mailboxPerDay, DAY);
  const confirmations = limiter('confirm', settings.confirmsPerHour, HOUR);
  const dataLinks = limiter('datalink', 3, HOUR);
  return {
    mailbox: {
      take: (email) => allowed(mailbox, hash(mailboxKey(email))),
      refund: async (email) => void (await mailbox.reward(hash(mailboxKey(email)))),
    },
    confirmations: {
      async wait() {
        try {
          await confirmations.consume('all');
          return 0;
        } catch (res) {
          if (res instanceof RateLimiterRes) return Math.max(res.msBeforeNext, 1000);
          throw res;
        }
      },
    },
    dataLinks: { take: (key) => allowed(dataLinks, hash(key)) },
  };
}
