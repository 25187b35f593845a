import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createRepos, type Repos } from '../../src/db/repos.js';
import { connectDatabase, type Database } from '../../src/db/client.js';

/** A fresh, migrated database cloned from the suite's template; dropped by `drop()`. */
export async function createTestDatabase(): Promise<Database & { drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = connectDatabase(url.toString(), { max: 10 });
  return {
    ...database,
    async drop() {
      await database.close().catch(() => {});
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** A fresh database and its repositories for one test file, dropped after it; read `.repos` and `.db` inside tests. */
export function useTestRepos() {
  const ctx = {} as { db: Awaited<ReturnType<typeof createTestDatabase>>; repos: Repos };
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    ctx.repos = createRepos(ctx.db.db, 'test-secret-test-secret-test-secret-00');
  });
  afterAll(async () => ctx.db?.drop());
  return ctx;
}
