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

/** A vector over term ids, ids ascending (see above); a reader's profile is built in this form. */
export interface CompiledVector {
  readonly ids: Int32Array;
  readonly weights: Float64Array;
  readonly norm2: number;
  readonly names: readonly string[];
}

/** Terms a space gives ids to before it starts over. */
const MAX_TERMS = 200_000;

/** What ranking computes over term vectors, in one space of term ids (see createTermSpace). */
export interface TermSpace {
  /** The cosine of two sparse vectors. */
  cosine(a: TermVector, b: TermVector): number;
  /** Σ weight × vector, compiled; a part may be compiled already (a topic anchor). */
  weightedSum(parts: readonly (readonly [TermVector | CompiledVector, number])[]): CompiledVector;
  /** The mean of some vectors, cut to its `keep` heaviest terms and scaled to unit length: a topic anchor. */
  centroid(vectors: readonly TermVector[], keep?: number): CompiledVector;
  /** The cosine of one compiled vector (a profile) with each of many vectors; 0 for a missing one. */
  similarities(profile: CompiledVector, vectors: readonly (TermVector | null | undefined)[]): number[];
}

/**
 * A space of term ids, for one edition's ranking (or one preview): each vector, the first time it is
 * compared, becomes its term ids in order with their weights and its squared norm, so that a cosine is one
 * merge of two sorted integer arrays, with no string hashing. Terms get ids as they are met (the vocabulary
 * of the papers in use: tens of thousands at most; past 200,000 the ids and the cache start over, and
 * `names`, the id-to-term table a vector was compiled against, tells the generations apart). A vector is
 * never changed once compared: papers' vectors come from the database, and a profile is complete before it
 * ranks. The space is its caller's: nothing is shared between two of them.
 */
export function createTermSpace(): TermSpace {
  let termIds = new Map<string, number>();
  let names: string[] = [];
  let compiled = new WeakMap<TermVector, CompiledVector>();

  /** Starts the ids over when the vocabulary has grown past its bound; only between two comparisons. */
  function bounded() {
    if (termIds.size <= MAX_TERMS) return;
    termIds = new Map();
    names = [];
    compiled = new WeakMap();
  }

  function compile(v: TermVector): CompiledVector {
    let c = compiled.get(v);
    if (c) return c;
    const entries = Object.entries(v).map(([t, w]) => {
      let id = termIds.get(t);
      if (id === undefined) {
        termIds.set(t, (id = names.length));
        names.push(t);
      }
      return [id, w] as const;
    });
    entries.sort((x, y) => x[0] - y[0]);
    const weights = Float64Array.from(entries, (e) => e[1]);
    c = { ids: Int32Array.from(entries, (e) => e[0]), weights, norm2: weights.reduce((sum, w) => sum + w * w, 0), names };
    compiled.set(v, c);
    return c;
  }

  /** The compiled vector in this generation of ids (a profile made before the ids started over is recompiled). */
  const current = (c: CompiledVector) => (c.names === names ? c : compile(recordOf(c)));

  /** The cosine of two sparse vectors. */
  function cosine(a: TermVector, b: TermVector): number {
    bounded();
    return cosineOf(compile(a), compile(b));
  }

  function cosineOf(x: CompiledVector, y: CompiledVector): number {
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

  // One dense row of weights by term id, reused: a weighted sum touches each term once, with no string key.
  let dense = new Float64Array(4096);
  const touched: number[] = [];
  const fit = (size: number) => {
    if (dense.length < size) dense = new Float64Array(Math.max(size, dense.length * 2));
  };

  const isCompiled = (v: TermVector | CompiledVector): v is CompiledVector => v.ids instanceof Int32Array;

  /**
   * Σ weight × vector, compiled, in the order given (each term's sum adds up as a plain object's would).
   * Terms that cancel out are dropped. A part may be a vector already compiled (a topic anchor).
   */
  function weightedSum(parts: readonly (readonly [TermVector | CompiledVector, number])[]): CompiledVector {
    bounded();
    const vectors = parts.map(([v]) => (isCompiled(v) ? current(v) : compile(v)));
    fit(names.length);
    for (let k = 0; k < parts.length; k++) {
      const by = parts[k]![1];
      const { ids, weights } = vectors[k]!;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (dense[id] === 0) touched.push(id);
        dense[id] = dense[id]! + weights[i]! * by;
      }
    }
    // A term whose sum passed through 0 was noted twice: once kept. Plain loops (a reader's profile is summed
    // per reader, a million times an edition): the typed arrays' filter and from took callbacks per term.
    const ids = Int32Array.from(touched).sort();
    touched.length = 0;
    const keptIds = new Int32Array(ids.length);
    const kept = new Float64Array(ids.length);
    let n = 0;
    let norm2 = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const w = dense[id]!;
      if (w !== 0 && (i === 0 || id !== ids[i - 1])) {
        keptIds[n] = id;
        kept[n++] = w;
        norm2 += w * w;
      }
    }
    for (let i = 0; i < ids.length; i++) dense[ids[i]!] = 0;
    return { ids: keptIds.slice(0, n), weights: kept.slice(0, n), norm2, names };
  }

  /**
   * The mean of some vectors, cut to its `keep` heaviest terms (ties by term) and scaled to unit length, as
   * `trim` cuts a paper's: a topic anchor. The same numbers as summing into a plain object, in the dense row.
   */
  function centroid(vectors: readonly TermVector[], keep = TERMS_PER_PAPER): CompiledVector {
    const sum = weightedSum(vectors.map((v) => [v, 1 / vectors.length] as const));
    // weightedSum has already dropped the terms whose sum is 0. Which terms are kept is found without sorting
    // them all (a centroid of twenty papers has over a thousand terms, and a comparator per pair was most of an
    // anchor's cost): the native sort of a copy of the weights gives the keep-th heaviest; the terms above it
    // are in, and of the terms equal to it (weights are rounded, so ties are common) those first by name.
    const n = sum.ids.length;
    let chosen: number[];
    if (n <= keep) chosen = Array.from({ length: n }, (_, i) => i);
    else {
      const cut = Float64Array.from(sum.weights).sort()[n - keep]!;
      chosen = [];
      const tied: number[] = [];
      for (let i = 0; i < n; i++) {
        const w = sum.weights[i]!;
        if (w > cut) chosen.push(i);
        else if (w === cut) tied.push(i);
      }
      tied.sort((a, b) => (sum.names[sum.ids[a]!]! < sum.names[sum.ids[b]!]! ? -1 : 1));
      for (let k = 0; chosen.length < keep; k++) chosen.push(tied[k]!);
    }
    // The norm is summed heaviest first, as before: the same numbers to the last bit.
    const order = chosen.sort((a, b) => sum.weights[b]! - sum.weights[a]! || (sum.names[sum.ids[a]!]! < sum.names[sum.ids[b]!]! ? -1 : 1));
    const norm = Math.sqrt(order.reduce((s, i) => s + sum.weights[i]! * sum.weights[i]!, 0)) || 1;
    order.sort((a, b) => a - b);
    const weights = Float64Array.from(order, (i) => sum.weights[i]! / norm);
    return { ids: Int32Array.from(order, (i) => sum.ids[i]!), weights, norm2: weights.reduce((s, w) => s + w * w, 0), names: sum.names };
  }

  /**
   * The cosine of one compiled vector (a profile) with each of many vectors (the pool's papers): the profile
   * is spread into the dense row once, and each paper reads its own terms from it. 0 for a missing vector.
   */
  function similarities(profile: CompiledVector, vectors: readonly (TermVector | null | undefined)[]): number[] {
    bounded();
    const p = current(profile);
    const papers = vectors.map((v) => (v ? compile(v) : null));
    fit(names.length);
    for (let i = 0; i < p.ids.length; i++) dense[p.ids[i]!] = p.weights[i]!;
    const out = papers.map((c) => {
      if (!c || !c.norm2 || !p.norm2) return 0;
      let dot = 0;
      for (let i = 0; i < c.ids.length; i++) dot += c.weights[i]! * dense[c.ids[i]!]!;
      return dot / Math.sqrt(p.norm2 * c.norm2);
    });
    for (let i = 0; i < p.ids.length; i++) dense[p.ids[i]!] = 0;
    return out;
  }

  return { cosine, weightedSum, centroid, similarities };
}

/** A compiled vector as term → weight. */
export function recordOf(c: CompiledVector): TermVector {
  const out: TermVector = {};
  for (let i = 0; i < c.ids.length; i++) out[c.names[c.ids[i]!]!] = c.weights[i]!;
  return out;
}
