// cosine walks the shorter vector and caches each vector's norm: it must still be the plain formula,
// symmetric, and 0 for an empty vector.
import { describe, expect, it } from 'vitest';
import { cosine, trim, type TermVector } from '../../../src/domain/term-vectors.js';

/** The textbook formula, over the union of terms. */
function plain(a: TermVector, b: TermVector): number {
  const terms = new Set([...Object.keys(a), ...Object.keys(b)]);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const t of terms) {
    dot += (a[t] ?? 0) * (b[t] ?? 0);
    na += (a[t] ?? 0) ** 2;
    nb += (b[t] ?? 0) ** 2;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** A deterministic pseudo-random vector of `n` terms out of a vocabulary of `vocab`, with negative weights when `signed`. */
function vector(seed: number, n: number, vocab: number, signed = false): TermVector {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const v: TermVector = {};
  for (let i = 0; i < n; i++) v[`t${Math.floor(next() * vocab)}`] = (signed && next() < 0.3 ? -1 : 1) * (0.01 + next());
  return v;
}

describe('cosine', () => {
  it('equals the plain formula for short against long, long against short, and signed profiles', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const paper = trim(vector(seed, 80, 300));
      const profile = vector(seed + 1000, 400, 300, true);
      expect(cosine(profile, paper)).toBeCloseTo(plain(profile, paper), 12);
      expect(cosine(paper, profile)).toBeCloseTo(plain(profile, paper), 12);
      const other = trim(vector(seed + 2000, 64, 300));
      expect(cosine(paper, other)).toBeCloseTo(plain(paper, other), 12);
    }
  });

  it('is 1 for a vector and itself, and 0 against an empty vector or no shared term', () => {
    const v = trim(vector(7, 64, 1000));
    expect(cosine(v, v)).toBeCloseTo(1, 12);
    expect(cosine(v, {})).toBe(0);
    expect(cosine({}, v)).toBe(0);
    expect(cosine({ a: 1 }, { b: 1 })).toBe(0);
  });
});
