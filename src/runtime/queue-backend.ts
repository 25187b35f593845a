import { Queue, Worker, createPostgresBackend, type Processor } from 'bullmq';
import { redisClient } from './redis.js';

import { withTimeout, type QueueBackend } from '../jobs/queues.js';

/**
 * BullMQ on Redis through ioredis; `prefix` keeps several installations (or test files) apart. On a Redis
 * Cluster the prefix is a hash tag ({papermail}), so that each queue's keys share one slot.
 */
export function createRedisBackend(url: string, prefix = 'papermail', onError: (err: Error) => void = () => {}, cluster = false): QueueBackend {
  // maxRetriesPerRequest: null is what BullMQ requires, so blocking commands wait through reconnects.
  const connection = redisClient(url, cluster, { maxRetriesPerRequest: null, lazyConnect: false });
  connection.on('error', () => {});
  const closers: { close(): Promise<void> }[] = [];
  return {
    kind: 'redis',
    queue<T>(name: string) {
      const q = new Queue<T>(name, { connection, prefix });
      q.on('error', onError);
      closers.push(q);
      return q;
    },
    worker<T>(name: string, processor: Processor<T>, opts = {}) {
      const w = new Worker<T>(name, processor, { ...opts, connection, prefix });
      closers.push(w);
      return w;
    },
    async ping(timeoutMs = 2000) {
      if (connection.status !== 'ready') throw new Error(`Redis is ${connection.status}`);
      await withTimeout(connection.ping(), timeoutMs, 'Redis');
    },
    async close() {
      await Promise.all(closers.map((c) => c.close().catch(() => {})));
      connection.disconnect();
    },
  };
}

/** BullMQ on Postgres (bullmq's own schema, migrated on first connect), for the zero-install default. */
export function createPgQueueBackend(connectionString: string, schema = 'bullmq', onError: (err: Error) => void = () => {}): QueueBackend {
  const connection = () => ({ connectionString, schema, migrate: true, max: 4 });
  const closers: { close(): Promise<void> }[] = [];
  let probe: Queue | null = null;
  return {
    kind: 'postgres',
    queue<T>(name: string) {
      const q = new Queue(name, { connection: connection() }, createPostgresBackend) as unknown as Queue<T>;
      // Without a listener BullMQ prints every connection error to stderr; route them to the log.
      q.on('error', onError);
      closers.push(q);
      return q;
    },
    worker<T>(name: string, processor: Processor<T>, opts = {}) {
      const w = new Worker(name, processor as Processor, { ...opts, connection: connection() }, createPostgresBackend) as unknown as Worker<T>;
      closers.push(w);
      return w;
    },
    async ping(timeoutMs = 2000) {
      probe ??= this.queue('health');
      await withTimeout(probe.getJobCounts('waiting'), timeoutMs, 'The Postgres queue backend');
    },
    async close() {
      await Promise.all(closers.map((c) => c.close().catch(() => {})));
    },
  };
}
