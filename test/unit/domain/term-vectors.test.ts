// cosine walks the shorter vector and caches each vector's norm: it must still be the plain formula,
// symmetric, and 0 for an empty vector.
import { describe, expect, it } from 'vitest';
import { createTermSpace, recordOf, trim, type TermVector } from '../../../src/domain/term-vectors.js';

const { centroid, cosine, similarities, weightedSum } = createTermSpace();

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

/** Σ by × v, term by term, as a plain object (the reference for the compiled sum). */
function plainSum(parts: [TermVector, number][]): TermVector {
  const out: TermVector = {};
  for (const [v, by] of parts) for (const [t, w] of Object.entries(v)) out[t] = (out[t] ?? 0) + w * by;
  return Object.fromEntries(Object.entries(out).filter(([, w]) => w !== 0));
}

describe('weightedSum and similarities (a profile over term ids)', () => {
  it('sum as plain objects do, and compare as cosine does, for signed parts', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const parts: [TermVector, number][] = [
        [trim(vector(seed, 80, 300)), 0.5],
        [trim(vector(seed + 100, 80, 300)), 1 / 3],
        [trim(vector(seed + 200, 80, 300)), -0.7],
      ];
      const sum = weightedSum(parts);
      expect(recordOf(sum)).toEqual(plainSum(parts));
      const papers = [trim(vector(seed + 300, 64, 300)), null, trim(vector(seed + 400, 64, 300)), {}];
      const sims = similarities(sum, papers);
      papers.forEach((p, i) => expect(sims[i]).toBeCloseTo(p ? plain(plainSum(parts), p) : 0, 12));
    }
  });

  it('drop a term that cancels out, and keep one whose sum passed through zero once', () => {
    const a = { x: 1, y: 1 };
    const sum = recordOf(weightedSum([[a, 1], [{ x: 1 }, -1], [{ x: 1, z: 2 }, 2]]));
    expect(sum).toEqual({ x: 2, y: 1, z: 4 });
    expect(recordOf(weightedSum([[a, 1], [a, -1]]))).toEqual({});
    expect(similarities(weightedSum([[a, 1], [a, -1]]), [a])).toEqual([0]);
  });
});

describe('centroid (a topic anchor)', () => {
  /** The plain version: the mean summed into an object, its heaviest terms (ties by term), unit length. */
  function plainCentroid(vectors: TermVector[], keep: number): TermVector {
    const sum: Record<string, number> = {};
    for (const v of vectors) for (const [t, w] of Object.entries(v)) sum[t] = (sum[t] ?? 0) + w * (1 / vectors.length);
    const top = Object.entries(sum)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, keep);
    const norm = Math.sqrt(top.reduce((s, [, w]) => s + w * w, 0)) || 1;
    return Object.fromEntries(top.map(([t, w]) => [t, w / norm]));
  }

  it('is the plain mean, cut and scaled, to the last bit, and ranks as its object form does', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const vectors = Array.from({ length: 1 + (seed % 5) }, (_, k) => trim(vector(seed * 7 + k, 80, 120)));
      const c = centroid(vectors, 64);
      const expected = plainCentroid(vectors, 64);
      expect(recordOf(c)).toEqual(expected);
      // Ties: equal weights are cut by term, as the plain version does.
      expect(Object.keys(recordOf(centroid([{ b: 1, a: 1, c: 1 }], 2))).sort()).toEqual(['a', 'b']);
      const parts: [TermVector, number][] = [[trim(vector(seed + 900, 40, 120)), 1]];
      expect(recordOf(weightedSum([[c, 0.5], ...parts]))).toEqual(recordOf(weightedSum([[expected, 0.5], ...parts])));
    }
  });

  it('cuts through many equal weights by term, as the plain version does', () => {
    // Weights from three values over a wide vocabulary: the keep-th heaviest weight is shared by many terms.
    for (let seed = 1; seed <= 40; seed++) {
      const vectors = Array.from({ length: 2 + (seed % 6) }, (_, k) =>
        Object.fromEntries(Object.keys(vector(seed * 13 + k, 70, 400)).map((t, i) => [t, [0.1, 0.2, 0.3][(i + k) % 3]!])),
      );
      for (const keep of [1, 16, 64, 500]) expect(recordOf(centroid(vectors, keep))).toEqual(plainCentroid(vectors, keep));
    }
  });
});
