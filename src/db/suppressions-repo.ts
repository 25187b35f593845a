import { sql } from 'drizzle-orm';
import type { Db } from './client.js';

export function createSuppressionsRepo(db: Db) {
  return {
    /** Records that an address must never be mailed again, and marks its subscriber suppressed. */
    async suppress(email: string, reason: string, detail: string | null): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.execute(sql`
          insert into suppressions (email, reason, detail) values (lower(${email}), ${reason}, ${detail})
          on conflict (email) do nothing`);
        await tx.execute(sql`update subscribers set status = 'suppressed' where lower(email) = lower(${email})`);
      });
    },
  };
}

export type SuppressionsRepo = ReturnType<typeof createSuppressionsRepo>;
