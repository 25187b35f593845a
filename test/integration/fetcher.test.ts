// The feed fetcher against a real local HTTP server: retries, 429 with Retry-After, timeouts, politeness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetcher, FetchError, retryAfterMs } from '../../src/sources/fetcher.js';
import { startFeedServer, type FeedServer } from '../helpers/feed-server.js';

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => server?.close());

const sleeps: number[] = [];
const fetcher = (over: Partial<Parameters<typeof createFetcher>[0]> = {}) =>
  createFetcher({ userAgent: 'papermail-test/1', timeoutMs: 300, retries: 3, backoffMs: 10, sleep: async (ms) => void sleeps.push(ms), ...over });

describe('fetching feeds', () => {
  it('retries a 500, honours 429 Retry-After, then returns the body; names the project', async () => {
    sleeps.length = 0;
    server.script('/a', [{ status: 500 }, { status: 429, headers: { 'retry-after': '2' } }, { body: '[]' }]);
    expect(await fetcher().fetchText(`${server.url}/a`)).toBe('[]');
    expect(sleeps).toEqual([10, 2000]);
    expect(server.requests.filter((r) => r.path === '/a').every((r) => r.userAgent === 'papermail-test/1')).toBe(true);
  });

  it('gives up on an answer slower than the timeout, after its retries', async () => {
    server.script('/slow', [{ delayMs: 2000, body: 'late' }]);
    const err = await fetcher({ retries: 1 }).fetchText(`${server.url}/slow`).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err.message).toMatch(/gave up after 2 attempts: no answer within 300 ms/);
  });

  it('does not retry a 404, and refuses a Retry-After too long to wait', async () => {
    server.script('/gone', [{ status: 404 }]);
    await expect(fetcher().fetchText(`${server.url}/gone`)).rejects.toThrow(/HTTP 404/);
    expect(server.requests.filter((r) => r.path === '/gone')).toHaveLength(1);
    server.script('/later', [{ status: 429, headers: { 'retry-after': '3600' } }]);
    await expect(fetcher({ maxRetryAfterMs: 60_000 }).fetchText(`${server.url}/later`)).rejects.toThrow(/Retry-After 3600 s is too long/);
  });

  it('returns an empty feed as it is', async () => {
    server.script('/empty', [{ body: '' }]);
    expect(await fetcher().fetchText(`${server.url}/empty`)).toBe('');
  });

  it('spaces requests to a polite host', async () => {
    server.script('/p', [{ body: 'ok' }]);
    const polite = createFetcher({ userAgent: 'x', timeoutMs: 1000, retries: 0, spacingMs: () => 300 });
    const before = server.requests.length;
    await Promise.all([1, 2, 3].map(() => polite.fetchText(`${server.url}/p`)));
    const times = server.requests.slice(before).map((r) => r.at);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(250);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(250);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('5')).toBe(5000);
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});
