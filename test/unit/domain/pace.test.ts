import { describe, expect, it } from 'vitest';
import { createPace, DEFAULT_PACE } from '../../../src/domain/pace.js';

describe('pace (AIMD)', () => {
  it('halves its window on a storm of temporary answers, once per storm, and widens it by one per good run', () => {
    const p = createPace({ max: 20, ...DEFAULT_PACE });
    const changes = [];
    for (let i = 0; i < 40; i++) changes.push(p.observe(i % 2 === 0));
    // Half the answers temporary: halved once the sample is large enough, then again only after as many
    // answers as were in flight at the last decrease (the answers to messages sent before it).
    expect(changes.filter(Boolean).map((c) => c!.to)).toEqual([10, 5, 2]);
    for (let i = 0; i < 20 * 8; i++) p.observe(false);
    expect(p.limit).toBe(10);
    for (let i = 0; i < 20 * 20; i++) p.observe(false);
    expect(p.limit).toBe(20);
  });

  it('never goes below one, and shrugs off a temporary answer now and then', () => {
    const p = createPace({ max: 8, ...DEFAULT_PACE });
    for (let i = 0; i < 200; i++) p.observe(true);
    expect(p.limit).toBe(1);
    const q = createPace({ max: 8, ...DEFAULT_PACE });
    for (let i = 0; i < 1000; i++) q.observe(i % 10 === 0);
    expect(q.limit).toBe(8);
  });
});
