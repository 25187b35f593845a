import { Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis client for REDIS_URL: one server, or (REDIS_CLUSTER=true) a Redis or Valkey Cluster reached
 * through that node, its other nodes discovered. Every part that talks to Redis (queues, limits, the send
 * rate) gets its client here.
 */
export function redisClient(url: string, cluster: boolean, options: RedisOptions = {}): Redis | Cluster {
  if (!cluster) return new Redis(url, options);
  const u = new URL(url);
  const auth = { ...(u.username ? { username: decodeURIComponent(u.username) } : {}), ...(u.password ? { password: decodeURIComponent(u.password) } : {}) };
  return new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    redisOptions: { ...options, ...auth, ...(u.protocol === 'rediss:' ? { tls: {} } : {}) },
    enableOfflineQueue: options.enableOfflineQueue ?? true,
  });
}
