// Starts the real services the suite needs, once: Postgres (embedded, or TEST_DATABASE_URL) and redis-server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { freePort } from '../../src/runtime/embedded-postgres.js';
import { startTestPostgres } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test Postgres server (its `postgres` database). */
    pgAdminUrl: string;
    /** Name of the migrated template database each test file clones. */
    pgTemplate: string;
    /** URL of the test redis-server, or null when it is missing outside CI. */
    redisUrl: string | null;
  }
}

const TEMPLATE = 'papermail_template';
const ci = process.env.CI === 'true' || process.env.CI === '1';

async function startPostgres(): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { adminUrl: given, stop: async () => {} };
  const pg = await startTestPostgres({
    persistent: false,
    prefix: 'papermail-test-pg-',
    flags: ['-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
  });
  return { adminUrl: pg.url, stop: () => pg.destroy() };
}

async function startRedis(): Promise<{ url: string | null; stop: () => Promise<void> }> {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    const msg = 'redis-server is not installed (apt-get install -y redis-server): the Redis-backend tests cannot run.';
    if (ci) throw new Error(`${msg} CI=true, so this is a failure, not a skip.`);
    console.warn(`\n!!! ${msg} They are SKIPPED on this machine; CI runs them.\n`);
    return { url: null, stop: async () => {} };
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) res();
    });
    child.once('exit', (code) => rej(new Error(`redis-server exited with ${code}: ${out.slice(-500)}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export default async function setup(project: TestProject) {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE}`);
  await admin.query(`create database ${TEMPLATE}`);
  await admin.end();
  const url = new URL(postgres.adminUrl);
  url.pathname = `/${TEMPLATE}`;
  const template = connectDatabase(url.toString(), { max: 2 });
  await migrateDatabase(template.pool);
  await template.close();
  project.provide('pgAdminUrl', postgres.adminUrl);
  project.provide('pgTemplate', TEMPLATE);
  project.provide('redisUrl', redis.url);
  return async () => {
    await Promise.all([postgres.stop(), redis.stop()]);
  };
}
