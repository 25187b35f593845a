import { createHmac } from 'node:crypto';
import DataLoader from 'dataloader';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { mailboxKey } from '../domain/mailbox.js';
import { gatedBatches } from './batching.js';

/** Counts confirmation mails per inbox; a signup past the count stores nothing and mails nothing. */
interface MailboxThrottle {
  /** Takes one of the inbox's mails for today; false when it has none left. */
  take(email: string): Promise<boolean>;
  /** Gives a taken mail back (the signup owed no mail after all: the reader was already active). */
  refund(email: string): Promise<void>;
}

/** The service-wide ceiling on confirmation mails per hour. */
interface ConfirmCeiling {
  /** Takes a slot for one confirmation mail now; returns 0, or the milliseconds to wait for the next slot. */
  wait(): Promise<number>;
}

/** One-per-while throttle for mail a reader asks for (the data link). */
interface RequestThrottle {
  take(key: string): Promise<boolean>;
}

/** Failed attempts per client (a wrong bearer token): past the allowance, the client waits. */
interface FailureCounter {
  /** Milliseconds this client must wait before trying again; 0 when it may. */
  wait(client: string): Promise<number>;
  /** Counts one failed attempt. */
  fail(client: string): Promise<void>;
}

export interface RateLimits {
  mailbox: MailboxThrottle;
  confirmations: ConfirmCeiling;
  dataLinks: RequestThrottle;
  bearerFailures: FailureCounter;
}

/** Wrong bearer tokens a client may present in a minute (the console's sign-in form allows as many). */
const BEARER_FAILURES_PER_MINUTE = 10;

type Upsert = { key: string; points: number; msDuration: number };
type Counted = { rows: [{ points: number; expire: number | null }] };

// rate-limiter-flexible's own upsert of a counter (RateLimiterPostgres._upsert, without forceExpire), for
// many keys in one statement: a window that has passed starts again from the points added, a live one adds
// them. The same key never comes twice in one call.
const UPSERT_MANY = `
  insert into rate_limits (key, points, expire) select * from unnest($1::varchar[], $2::int[], $3::bigint[])
  on conflict (key) do update set
    points = case when rate_limits.expire <= $4 then excluded.points else rate_limits.points + excluded.points end,
    expire = case when rate_limits.expire <= $4 then excluded.expire else rate_limits.expire end
  returning key, points, expire`;

/**
 * rate-limiter-flexible's Postgres store, with the counters of calls that arrive together written in one
 * statement and one commit: a statement and a commit for every signup's counter cost more than the
 * signup's own share of its batch. The limiting stays the library's: it gets, for each call, the row as that
 * call alone would have left it. Calls on one key in one batch are summed, and each is told the count up to
 * and including its own points, as if they had come one after another. Forced writes (`set`, `block`) go
 * through the library's own statement.
 */
class BatchedRateLimiterPostgres extends RateLimiterPostgres {
  private readonly pool: pg.Pool;
  private readonly gate = gatedBatches(2);
  private readonly upserts = new DataLoader<Upsert, Counted>((calls) => this.upsertMany(calls), {
    cache: false,
    maxBatchSize: 500,
    batchScheduleFn: this.gate.schedule,
  });

  constructor(opts: ConstructorParameters<typeof RateLimiterPostgres>[0] & { storeClient: pg.Pool }) {
    super(opts);
    this.pool = opts.storeClient;
  }

  // The library's hook for a store's write (lib/RateLimiterStoreAbstract.js).
  _upsert(key: string, points: number, msDuration: number, forceExpire = false): Promise<unknown> {
    // @ts-expect-error: the library's own method, not in its declarations.
    if (forceExpire) return super._upsert(key, points, msDuration, forceExpire) as Promise<unknown>;
    return this.upserts.load({ key, points, msDuration });
  }

  private async upsertMany(calls: readonly Upsert[]): Promise<Counted[]> {
    this.gate.started();
    try {
      const byKey = new Map<string, { points: number; expire: number | null }>();
      const now = Date.now();
      for (const c of calls) {
        const k = byKey.get(c.key);
        if (k) k.points += c.points;
        else byKey.set(c.key, { points: c.points, expire: c.msDuration > 0 ? now + c.msDuration : null });
      }
      const keys = [...byKey.keys()];
      const res = await this.pool.query<{ key: string; points: number; expire: string | null }>({
        name: 'rate-limits-upsert-many',
        text: UPSERT_MANY,
        values: [keys, keys.map((k) => byKey.get(k)!.points), keys.map((k) => byKey.get(k)!.expire), now],
      });
      const after = new Map(res.rows.map((r) => [r.key, { points: Number(r.points), expire: r.expire === null ? null : Number(r.expire) }]));
      // Each call's count is the key's count less what later calls in the batch added.
      const later = new Map<string, number>();
      const out: Counted[] = [];
      for (let i = calls.length - 1; i >= 0; i--) {
        const c = calls[i]!;
        const row = after.get(c.key)!;
        const rest = later.get(c.key) ?? 0;
        out[i] = { rows: [{ points: row.points - rest, expire: row.expire }] };
        later.set(c.key, rest + c.points);
      }
      return out;
    } finally {
      this.gate.done();
    }
  }
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
    new BatchedRateLimiterPostgres({ storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, keyPrefix, points, duration });
  const hash = (v: string) => createHmac('sha256', secret).update(`limit|${v}`).digest('base64url').slice(0, 32);
  const allowed = async (l: BatchedRateLimiterPostgres, key: string) => {
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
  const bearer = limiter('bearer', BEARER_FAILURES_PER_MINUTE, 60);
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
    bearerFailures: {
      async wait(client) {
        const res = await bearer.get(hash(`ip|${client}`));
        return res && res.consumedPoints >= BEARER_FAILURES_PER_MINUTE ? Math.max(res.msBeforeNext, 1000) : 0;
      },
      fail: async (client) => void (await allowed(bearer, hash(`ip|${client}`))),
    },
  };
}
