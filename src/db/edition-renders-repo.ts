import { sql } from 'drizzle-orm';
import type { RenderRow } from '../domain/edition.js';
import type { Db } from './client.js';

/** The rendered parts of an edition: one composed message per distinct paper list, rendered once. */
export function createEditionRendersRepo(db: Db) {
  return {
    /** The renders an edition already has, by list key. */
    async renderKeys(editionId: number): Promise<Map<string, number>> {
      const res = await db.execute<{ id: number; list_key: string }>(sql`select id, list_key from edition_renders where edition_id = ${editionId}`);
      return new Map(res.rows.map((r) => [r.list_key, Number(r.id)]));
    },

    /** Stores one render of a paper list; when another worker stored the same list first, returns theirs. */
    async addRender(editionId: number, r: Omit<RenderRow, 'id'>): Promise<number> {
      const ins = await db.execute<{ id: number }>(sql`
        insert into edition_renders (edition_id, list_key, paper_ids, subject, mime_template)
        values (${editionId}, ${r.listKey}, ${JSON.stringify(r.paperIds)}::jsonb, ${r.subject}, ${r.mimeTemplate})
        on conflict (edition_id, list_key) do nothing returning id`);
      if (ins.rows[0]) {
        await db.execute(sql`update editions set subject = coalesce(subject, ${r.subject}) where id = ${editionId}`);
        return Number(ins.rows[0].id);
      }
      const found = await db.execute<{ id: number }>(sql`select id from edition_renders where edition_id = ${editionId} and list_key = ${r.listKey}`);
      return Number(found.rows[0]!.id);
    },

    /** The composed message of one render. */
    async template(renderId: number): Promise<string | null> {
      const res = await db.execute<{ t: string }>(sql`select mime_template as t from edition_renders where id = ${renderId}`);
      return res.rows[0]?.t ?? null;
    },
  };
}

