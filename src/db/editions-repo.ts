import { eq, sql } from 'drizzle-orm';
import type { Frequency } from '../config.js';
import type { Db } from './client.js';
import { editions } from './schema.js';

export type Edition = typeof editions.$inferSelect;

export type EditionStats = {
  id: number;
  frequency: Frequency;
  period: string;
  forced: boolean;
  status: Edition['status'];
  recipients: number;
  queued: number;
  sending: number;
  sent: number;
  failed: number;
  renders: number;
  papers: string[];
  note: string | null;
  createdAt: Date;
  finishedAt: Date | null;
};

export interface BuiltEdition {
  paperIds: string[];
  subject: string;
  mimeTemplate: string;
  renders: number;
}

export function createEditionsRepo(db: Db) {
  return {
    /** Returns the edition of this period, creating it first; `forced` always creates an extra one. */
    async ensure(frequency: Frequency, period: string, forced: boolean): Promise<{ edition: Edition; created: boolean }> {
      if (forced) {
        const [edition] = await db.insert(editions).values({ frequency, period, forced: true }).returning();
        return { edition: edition!, created: true };
      }
      const inserted = await db
        .insert(editions)
        .values({ frequency, period })
        .onConflictDoNothing({ target: [editions.frequency, editions.period], where: sql`not ${editions.forced}` })
        .returning();
      if (inserted[0]) return { edition: inserted[0], created: true };
      const [existing] = await db
        .select()
        .from(editions)
        .where(sql`${editions.frequency} = ${frequency} and ${editions.period} = ${period} and not ${editions.forced}`);
      return { edition: existing!, created: false };
    },

    async byId(id: number): Promise<Edition | null> {
      const [row] = await db.select().from(editions).where(eq(editions.id, id));
      return row ?? null;
    },

    /**
     * Stores the rendered edition and creates one queued delivery per active, unsuppressed reader of its
     * frequency, in one transaction and one INSERT. Only the first builder wins; returns false otherwise.
     */
    async publish(id: number, built: BuiltEdition): Promise<boolean> {
      return db.transaction(async (tx) => {
        const claimed = await tx.execute<{ frequency: Frequency }>(sql`
          update editions set status = 'sending', paper_ids = ${JSON.stringify(built.paperIds)}::jsonb,
            subject = ${built.subject}, mime_template = ${built.mimeTemplate}, renders = ${built.renders}, built_at = now()
          where id = ${id} and status = 'pending' returning frequency`);
        const frequency = claimed.rows[0]?.frequency;
        if (!frequency) return false;
        await tx.execute(sql`
          insert into deliveries (edition_id, subscriber_id)
          select ${id}, s.id from subscribers s
          where s.status = 'active' and s.frequency = ${frequency}
            and not exists (select 1 from suppressions x where x.email = lower(s.email))
          order by s.id
          on conflict (edition_id, subscriber_id) do nothing`);
        return true;
      });
    },

    /** Marks an edition that found nothing to send. */
    async markEmpty(id: number, note: string): Promise<void> {
      await db.execute(sql`update editions set status = 'empty', note = ${note}, finished_at = now() where id = ${id} and status = 'pending'`);
    },

    /** Marks the edition sent once no delivery is queued or in flight. */
    async finishIfDone(id: number): Promise<boolean> {
      const res = await db.execute(sql`
        update editions set status = 'sent', finished_at = now()
        where id = ${id} and status = 'sending'
          and not exists (select 1 from deliveries d where d.edition_id = ${id} and d.status in ('queued', 'sending'))`);
      return (res.rowCount ?? 0) > 0;
    },

    /** Editions that may need recovery: built but unfinished, or never built. */
    async unfinished(): Promise<{ id: number; status: Edition['status']; createdAt: Date }[]> {
      const res = await db.execute<{ id: number; status: Edition['status']; createdAt: Date }>(
        sql`select id, status, created_at as "createdAt" from editions where status in ('pending', 'sending') order by id`,
      );
      return res.rows;
    },

    /** Counts per status, for the admin API. */
    async stats(id: number): Promise<EditionStats | null> {
      const res = await db.execute<EditionStats>(sql`
        select e.id, e.frequency, e.period, e.forced, e.status, e.renders, e.paper_ids as papers, e.note,
               e.created_at as "createdAt", e.finished_at as "finishedAt",
               count(d.id)::int as recipients,
               count(d.id) filter (where d.status = 'queued')::int as queued,
               count(d.id) filter (where d.status = 'sending')::int as sending,
               count(d.id) filter (where d.status = 'sent')::int as sent,
               count(d.id) filter (where d.status = 'failed')::int as failed
        from editions e left join deliveries d on d.edition_id = e.id
        where e.id = ${id} group by e.id`);
      return res.rows[0] ?? null;
    },
  };
}

export type EditionsRepo = ReturnType<typeof createEditionsRepo>;
