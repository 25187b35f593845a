// Sparse text vectors and what ranking does with them: no language model here (src/domain/paper-vectors.ts makes them).

/** A sparse text vector: stemmed term -> weight, L2-normalized. */
export type TermVector = Record<string, number>;

/** Terms kept per paper (the heaviest): enough to compare papers, small enough to store with each. */
export const TERMS_PER_PAPER = 64;

/** Keeps the heaviest terms and scales the vector back to unit length. */
export function trim(bow: Record<string, number>): TermVector {
  const top = Object.entries(bow)
    .filter(([, w]) => w > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TERMS_PER_PAPER);
  const norm = Math.sqrt(top.reduce((s, [, w]) => s + w * w, 0)) || 1;
  return Object.fromEntries(top.map(([t, w]) => [t, Math.round((w / norm) * 1e4) / 1e4]));
}

// Each vector, the first time it is compared, as its term ids in order with their weights and its squared
// norm: a cosine is then one merge of two sorted integer arrays, with no string hashing. Terms get ids as
// they are met (the vocabulary of the papers in use: tens of thousands at most; past 200,000 the ids and
// the cache start over). A vector is never changed once compared: papers' vectors come from the
// database, and a profile is complete before it ranks.
type Compiled = { ids: Int32Array; weights: Float64Array; norm2: number };
let termIds = new Map<string, number>();
let compiled = new WeakMap<TermVector, Compiled>();
const MAX_TERMS = 200_000;

function compile(v: TermVector): Compiled {
  let c = compiled.get(v);
  if (c) return c;
  const entries = Object.entries(v).map(([t, w]) => {
    let id = termIds.get(t);
    if (id === undefined) termIds.set(t, (id = termIds.size));
    return [id, w] as const;
  });
  entries.sort((x, y) => x[0] - y[0]);
  const weights = Float64Array.from(entries, (e) => e[1]);
  c = { ids: Int32Array.from(entries, (e) => e[0]), weights, norm2: weights.reduce((sum, w) => sum + w * w, 0) };
  compiled.set(v, c);
  return c;
}

/** The cosine of two sparse vectors. */
export function cosine(a: TermVector, b: TermVector): number {
  // Started over between two comparisons, never between the two sides of one.
  if (termIds.size > MAX_TERMS) {
    termIds = new Map();
    compiled = new WeakMap();
  }
  const x = compile(a);
  const y = compile(b);
  if (!x.norm2 || !y.norm2) return 0;
  let dot = 0;
  for (let i = 0, j = 0; i < x.ids.length && j < y.ids.length; ) {
    const d = x.ids[i]! - y.ids[j]!;
    if (d === 0) dot += x.weights[i++]! * y.weights[j++]!;
    else if (d < 0) i++;
    else j++;
  }
  return dot / Math.sqrt(x.norm2 * y.norm2);
}
