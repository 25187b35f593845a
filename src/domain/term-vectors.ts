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

/** The cosine of two sparse vectors. */
export function cosine(a: TermVector, b: TermVector): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, w] of Object.entries(a)) {
    na += w * w;
    const o = b[t];
    if (o !== undefined) dot += w * o;
  }
  for (const w of Object.values(b)) nb += w * w;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
