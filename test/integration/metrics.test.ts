// GET /metrics: Prometheus text behind its own token; the send counter and the delivery gauge move when a
// digest goes out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, subscribeAndConfirm, waitForEdition, type Stack } from '../helpers/stack.js';

const TOKEN = 'metrics-token-0123456789';
let stack: Stack;
const scrape = async () => {
  const res = await stack.http('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
};
/** Strict enough for Prometheus' text format: comments, or `name{label="value",…} number`. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?([0-9.e+-]+|NaN|\+Inf|-Inf)( -?\d+)?$/;
const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);

beforeAll(async () => {
  stack = await startStack('postgres', { METRICS_TOKEN: TOKEN });
});
afterAll(async () => stack?.close());

describe('/metrics', () => {
  it('answers only with its token', async () => {
    expect((await stack.http('/metrics')).status).toBe(401);
    expect((await stack.http('/metrics', { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
  });

  it('parses as Prometheus text, and counts a digest going out', async () => {
    const before = await scrape();
    for (const line of before.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(SAMPLE);
    expect(before).toMatch(/^# TYPE papermail_sends_total counter$/m);
    expect(before).toMatch(/^# TYPE papermail_send_seconds histogram$/m);
    expect(before).toMatch(/^papermail_process_cpu_user_seconds_total /m);
    await subscribeAndConfirm(stack, 'counted@example.org');
    const res = await stack.admin('/editions', { frequency: 'daily' });
    await waitForEdition(stack, ((await res.json()) as { id: number }).id);
    const after = await scrape();
    expect(value(after, 'papermail_sends_total{outcome="sent"}')).toBeGreaterThan(value(before, 'papermail_sends_total{outcome="sent"}'));
    expect(value(after, 'papermail_deliveries{status="sent"}')).toBe(value(before, 'papermail_deliveries{status="sent"}') + 1);
    expect(value(after, 'papermail_subscribers{status="active"}')).toBe(1);
    expect(value(after, 'papermail_send_seconds_count')).toBeGreaterThan(0);
    expect(after).toMatch(/^papermail_queue_jobs\{queue="send",state="completed"\} \d+$/m);
    expect(after).toMatch(/^papermail_last_edition_seconds\{frequency="daily"\} [0-9.]+$/m);
  });

  it("tells each paper source's age since its last success, and which are failing", async () => {
    await stack.served.runtime.repos.sourceRuns.succeeded('hf', { seen: 50, added: 3, updated: 2 });
    await stack.served.runtime.repos.sourceRuns.failed('arxiv:cs.LG', 'gave up after 5 attempts: fetch failed');
    const text = await scrape();
    expect(value(text, 'papermail_ingest_last_success_age_seconds{source="hf"}')).toBeGreaterThanOrEqual(0);
    expect(text).not.toMatch(/papermail_ingest_last_success_age_seconds\{source="arxiv:cs.LG"\}/);
    expect(value(text, 'papermail_ingest_failing{source="arxiv:cs.LG"}')).toBe(1);
    expect(text).toMatch(/^papermail_ingest_failing\{source="hf"\} 0$/m);
  });
});
