import { and, eq, sql } from 'drizzle-orm';
import type { Frequency } from '../domain/edition.js';
import type { Subscriber } from '../domain/reader.js';
import type { Db } from './client.js';
import { subscribers } from './schema.js';

/** The readers as an operator reads them: search and pages, counts, one reader's deliveries. */
export function createRoster(db: Db) {
  return {
    /**
     * Readers by id (keyset: those after `after`), optionally only addresses containing `search` and of one
     * status: the console's list, the admin API's, and the CSV export's pages.
     */
    async search(opts: { limit: number; after?: number; search?: string; status?: Subscriber['status'] }): Promise<Subscriber[]> {
      const res = await db
        .select()
        .from(subscribers)
        .where(
          and(
            opts.after ? sql`${subscribers.id} > ${opts.after}` : undefined,
            opts.search ? sql`strpos(lower(${subscribers.email}), lower(${opts.search})) > 0` : undefined,
            opts.status ? eq(subscribers.status, opts.status) : undefined,
          ),
        )
        .orderBy(subscribers.id)
        .limit(opts.limit);
      return res;
    },

    /** How many readers there are in each status. */
    async counts(): Promise<Record<Subscriber['status'], number>> {
      const res = await db.execute<{ status: Subscriber['status']; n: number }>(sql`select status, count(*)::int as n from subscribers group by status`);
      const out = { pending: 0, active: 0, unsubscribed: 0, suppressed: 0 };
      for (const r of res.rows) out[r.status] = r.n;
      return out;
    },

    /** A reader's deliveries, newest first, with their edition. */
    async deliveries(id: number, limit = 50) {
      const res = await db.execute<{ editionId: number; frequency: Frequency; period: string; status: string; attempts: number; sentAt: Date | null; lastResponse: string | null }>(sql`
        select d.edition_id as "editionId", e.frequency, e.period, d.status, d.attempts, d.sent_at as "sentAt", d.last_response as "lastResponse"
        from deliveries d join editions e on e.id = d.edition_id where d.subscriber_id = ${id} order by d.id desc limit ${limit}`);
      return res.rows;
    },
  };
}
