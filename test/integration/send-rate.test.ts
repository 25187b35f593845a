// SEND_RATE: the provider's rate holds over every worker together. Three worker processes' worth of senders
// (each with 10 SMTP connections) share the pace's counters; the sink sees at most the rate in any 10 seconds
// and in any single second (src/runtime/send-pace.ts; plus a loaded machine's jitter), and every reader gets
// the digest exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { paceSlices } from '../../src/runtime/send-pace.js';
import { insertActiveReaders, startStack, type BackendKind, type Stack, waitForEdition } from '../helpers/stack.js';

const RATE = 50;
const READERS = 700;

/** The most messages that arrived within any `windowMs` (a sliding window over the arrival times). */
function busiestWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j]! - t[i]! >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

describe.each<BackendKind>(['redis', 'postgres'])('SEND_RATE=%s', (kind) => {
  let stack: Stack;
  afterAll(async () => stack?.close());

  it(`keeps ${RATE} messages a second over three workers, and misses nobody (${kind})`, async () => {
    stack = await startStack(kind, { SEND_RATE: String(RATE), SMTP_POOL_SIZE: '10', SEND_CONCURRENCY: '4', SEND_BATCH_SIZE: '50' });
    await stack.worker();
    await stack.worker();
    const emails = Array.from({ length: READERS }, (_, i) => `paced${i}@example.org`);
    await insertActiveReaders(stack, emails);
    const { id } = (await (await stack.admin('/editions', { frequency: 'daily' })).json()) as { id: number };
    const stats = await waitForEdition(stack, id, 120_000);
    expect(stats).toMatchObject({ status: 'sent', sent: READERS, failed: 0 });
    const digests = stack.sink.messages.filter((m) => /^Trending papers/.test(m.parsed.subject ?? ''));
    // Every reader exactly once.
    expect(digests).toHaveLength(READERS);
    expect(new Set(digests.map((m) => m.envelopeTo[0])).size).toBe(READERS);
    // In any 10 seconds at most the rate (+10 %).
    const busiest = busiestWindow(digests.map((m) => m.at), 10_000);
    expect(busiest).toBeLessThanOrEqual(RATE * 10 * 1.1);
    // No burst: in any single second, counted where each transaction began (MAIL FROM, just after the
    // sender's turn), the rate plus two of the pace's slices (54 at 50/s), plus what scheduling on a loaded
    // machine adds between a turn and its MAIL FROM: a process that stalls 200 ms lets its turns land beside
    // the next ones (10 at 50/s). Whole-second counters, which this pace replaced, reached 83-92 here.
    const burst = busiestWindow(digests.map((m) => m.startedAt), 1_000);
    const burstAtEnd = busiestWindow(digests.map((m) => m.at), 1_000);
    console.log(`SEND_RATE=${RATE} (${kind}): busiest 10 s ${busiest}, busiest 1 s ${burst} by MAIL FROM, ${burstAtEnd} by end of data`);
    expect(burst).toBeLessThanOrEqual(RATE + 2 * paceSlices(RATE).perSlice + RATE / 5);
  }, 180_000);
});
