import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

/** Console sessions, by the hash of their id (the http layer's SessionStore). */
export function createAdminSessionsRepo(db: Db) {
  return {
    /** Stores a new session, and clears sessions dead for a day (a sign-in is rare enough to carry that). */
    async create(s: { idHash: string; tokenPrint: string; ip: string | null; userAgent: string | null }): Promise<void> {
      await db.execute(sql`delete from admin_sessions where last_seen_at < now() - interval '1 day'`);
      await db.execute(sql`insert into admin_sessions (id_hash, token_print, ip, user_agent) values (${s.idHash}, ${s.tokenPrint}, ${s.ip}, ${s.userAgent})`);
    },

    /** Marks a live session seen; false when it is unknown, of another admin token, idle too long or too old. */
    async touch(idHash: string, tokenPrint: string, idleSeconds: number, maxSeconds: number): Promise<boolean> {
      const res = await db.execute(sql`
        update admin_sessions set last_seen_at = now()
        where id_hash = ${idHash} and token_print = ${tokenPrint}
          and last_seen_at > now() - make_interval(secs => ${idleSeconds})
          and created_at > now() - make_interval(secs => ${maxSeconds})
        returning 1`);
      return res.rows.length > 0;
    },

    /** Ends one session. */
    async end(idHash: string): Promise<void> {
      await db.execute(sql`delete from admin_sessions where id_hash = ${idHash}`);
    },

    /** Ends every session; returns how many there were. */
    async endAll(): Promise<number> {
      const res = await db.execute(sql`delete from admin_sessions returning 1`);
      return res.rows.length;
    },
  };
}
