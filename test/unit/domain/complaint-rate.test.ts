// The complaint guard's rule: above the rate, once enough were sent; exactly at the rate is not above it.
import { describe, expect, it } from 'vitest';
import { complaintRateExceeded } from '../../../src/domain/bounces.js';

describe('complaintRateExceeded', () => {
  it('judges only after the minimum sent, and only strictly above the rate', () => {
    const rate = 0.3 / 100;
    expect(complaintRateExceeded(10, 999, rate, 1000)).toBe(false); // 1 %, but too few sent to judge
    expect(complaintRateExceeded(3, 1000, rate, 1000)).toBe(false); // exactly 0.3 %
    expect(complaintRateExceeded(4, 1000, rate, 1000)).toBe(true);
    expect(complaintRateExceeded(7, 2333, rate, 1000)).toBe(true); // 0.30004 %: just above
    expect(complaintRateExceeded(7, 2334, rate, 1000)).toBe(false); // 0.29991 %
  });
  it('holds at every rate and count exactly as whole numbers would', () => {
    for (const percent of [0.1, 0.3, 0.5, 0.7, 1.1, 2.9])
      for (let sent = 1000; sent <= 5000; sent += 7)
        for (const complaints of [Math.floor((sent * percent) / 100), Math.floor((sent * percent) / 100) + 1])
          expect(complaintRateExceeded(complaints, sent, percent / 100, 1000), `${complaints}/${sent} at ${percent} %`).toBe(complaints * 100 * 10_000 > Math.round(percent * 10_000) * sent);
  });
});
