// The send pace's slices: whatever second one looks at, it carries at most rate + 2 × perSlice messages
// (≤ 1.1 × rate from 20 a second), and over a long run the slices allow exactly the rate.
import { describe, expect, it } from 'vitest';
import { paceSlices } from '../../../src/runtime/send-pace.js';

/** The most messages any one-second window can hold, every slice full and its messages at either edge. */
function busiestSecond(rate: number): number {
  const { perSlice, widthMs } = paceSlices(rate);
  let most = 0;
  // A window [t, t + 1000) holds the slices it touches; try starts across one slice, finely.
  for (let step = 0; step < 200; step++) {
    const t = (widthMs * step) / 200 + 1e-9;
    const first = Math.floor(t / widthMs);
    const last = Math.ceil((t + 1000) / widthMs) - 1;
    most = Math.max(most, (last - first + 1) * perSlice);
  }
  return most;
}

describe('send pace slices', () => {
  it.each([1, 2, 3, 7, 10, 14, 19, 20, 33, 50, 57, 99, 100, 250, 1000, 14_000])('rate %i: no second carries more than rate + 2 slices', (rate) => {
    const { perSlice, widthMs } = paceSlices(rate);
    expect(perSlice).toBeGreaterThanOrEqual(1);
    // Over an hour the slices allow the rate, to within one slice.
    expect(Math.abs(Math.floor(3_600_000 / widthMs) * perSlice - rate * 3600)).toBeLessThanOrEqual(perSlice);
    const most = busiestSecond(rate);
    expect(most).toBeLessThanOrEqual(rate + 2 * perSlice);
    if (rate >= 20) expect(most).toBeLessThanOrEqual(rate * 1.1);
  });
});
