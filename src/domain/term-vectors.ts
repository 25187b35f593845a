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

// Each vector's entries and squared norm, computed the first time it is compared. A vector is never
// changed once compared: papers' vectors come from the database, a profile is complete before it ranks.
const seen = new WeakMap<TermVector, { entries: [string, number][]; norm2: number }>();
function statsOf(v: TermVector) {
  let s = seen.get(v);
  if (!s) {
    const entries = Object.entries(v);
    s = { entries, norm2: entries.reduce((sum, [, w]) => sum + w * w, 0) };
    seen.set(v, s);
  }
  return s;
}

/**
 * The cosine of two sparse vectors. It walks the shorter one and looks its terms up in the other: a
 * reader's profile (hundreds of terms) against a paper (64) costs 64 lookups, not a pass over the profile.
 */
export function cosine(a: TermVector, b: TermVector): number {
  const sa = statsOf(a);
  const sb = statsOf(b);
  if (!sa.norm2 || !sb.norm2) return 0;
  const [walk, other] = sa.entries.length <= sb.entries.length ? [sa.entries, b] : [sb.entries, a];
  let dot = 0;
  for (const [t, w] of walk) {
    const o = other[t];
    if (o !== undefined) dot += w * o;
  }
  return dot / Math.sqrt(sa.norm2 * sb.norm2);
}
