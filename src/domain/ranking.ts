import { createTermSpace, recordOf, TERMS_PER_PAPER, type CompiledVector, type TermVector } from './term-vectors.js';
import { createTopicMatcher, type Matchable } from './topics.js';
import type { RankWeights } from './rank-weights.js';

/** One choice of the reader's, with the paper's vector. */
export interface Choice {
  paperId: string;
  title: string;
  choice: 'more' | 'less';
  at: Date;
  vector: TermVector | null;
}

/** What a reader's ranking is made of: a vector, the liked papers that may explain a place, the hidden papers. */
export interface Profile {
  /** The vector over term ids, as ranking reads it (built without a string key: one per reader). */
  compiled: CompiledVector;
  /** The same vector as term → weight (made when asked for). */
  readonly vector: TermVector;
  liked: { title: string; vector: TermVector }[];
  hidden: ReadonlySet<string>;
}

const profileOf = (compiled: CompiledVector, liked: Profile['liked'], hidden: ReadonlySet<string>): Profile => ({
  compiled,
  get vector() {
    return recordOf(compiled);
  },
  liked,
  hidden,
});

/** The papers a reader already had, as ranking asks of them (a Set, or the pool's bits: readers-repo's PapersHad). */
export type PapersSeen = { has(paperId: string): boolean };

/** Similarity to a liked paper above which an entry says "Because you liked". */
const BECAUSE_MIN = 0.15;

/** Similarities are scaled by the pool's largest, but never by less than this: faint likeness stays faint. */
const SIMILARITY_FLOOR = 0.1;

const DAY = 86_400_000;

interface Ranked<P> {
  paper: P;
  /** The liked paper's title when the profile lifted this one: "Because you liked: ...". */
  because: string | null;
}

/** A reader's papers of the pool as bits over its places: places 0-30 in `lo`, 31-61 in `hi` (readers-repo's PapersHad). */
interface PlacesHad extends PapersSeen {
  readonly lo: number;
  readonly hi: number;
}

/** Topics whose matches in a pool are remembered (one pair of numbers each). */
const TOPICS_KEPT = 50_000;

const NOTHING_HAD: PapersSeen = { has: () => false };

/** Ranking and topic matching over one space of term ids, with the caches that make a million readers cheap. */
export interface Ranker {
  topicHits<P extends Matchable & { vector?: TermVector | null }>(topics: string[], pool: P[]): P[];
  anchorOf(hits: { vector?: TermVector | null }[]): CompiledVector | null;
  topicAnchor(topics: string[], pool: (Matchable & { vector?: TermVector | null })[]): TermVector | null;
  buildProfile(topics: TermVector | CompiledVector | null, choices: Choice[], w: RankWeights, now: Date): Profile | null;
  rank<P extends { id: string; vector?: TermVector | null }>(candidates: P[], profile: Profile | null, w: RankWeights, limit?: number): Ranked<P>[];
  poolCandidates<P extends Matchable & { id: string }>(pool: P[], historyIds: readonly string[]): (topics: string[], had: PlacesHad | null) => P[];
  personalList<P extends Matchable & { id: string; vector?: TermVector | null }>(pool: P[], topics: string[], received: PapersSeen, size: number, profile: Profile | null, w: RankWeights): Ranked<P>[];
}

/**
 * A ranker for one edition's build (or one preview): its term space, its topic matchers and its memory of
 * paper-to-liked-paper likeness are its own, and go with it.
 */
export function createRanker(): Ranker {
  const { cosine, weightedSum, centroid, similarities } = createTermSpace();
  const topicMatcher = createTopicMatcher();

  /** The pool's papers, with vectors, that a reader's topics match: what their topic anchor is made of. */
  function topicHits<P extends Matchable & { vector?: TermVector | null }>(topics: string[], pool: P[]): P[] {
    if (!topics.length) return [];
    const matches = topicMatcher(topics);
    return pool.filter((p) => p.vector && matches(p));
  }

  /**
   * A reader's topics as a vector: the centroid of the pool papers their topics match (pseudo-relevance
   * feedback, in the papers' own term space), from `topicHits`. Null when nothing matches. Readers whose
   * topics match the same papers have the same anchor, whatever their topics' words.
   */
  function anchorOf(hits: { vector?: TermVector | null }[]): CompiledVector | null {
    // The heaviest terms only, as for a paper: a broad topic's centroid would otherwise hold thousands.
    return hits.length ? centroid(hits.map((p) => p.vector!), TERMS_PER_PAPER) : null;
  }

  /** `anchorOf(topicHits(topics, pool))`, as term → weight. */
  function topicAnchor(topics: string[], pool: (Matchable & { vector?: TermVector | null })[]): TermVector | null {
    const anchor = anchorOf(topicHits(topics, pool));
    return anchor && recordOf(anchor);
  }

  /**
   * Rocchio's query update: alpha x topics + beta x mean(liked) - gamma x mean(hidden), each choice weighted
   * by its age (halving every `halfLifeDays`). The topics anchor what the reader's feedback teaches; on their
   * own they only filter (a reader without feedback gets their topics' papers in the community's order). Null
   * when there is nothing to learn from.
   */
  function buildProfile(topics: TermVector | CompiledVector | null, choices: Choice[], w: RankWeights, now: Date): Profile | null {
    const withVector = choices.filter((c) => c.vector && Object.keys(c.vector).length);
    const hidden = new Set(choices.filter((c) => c.choice === 'less').map((c) => c.paperId));
    if (!withVector.length) return hidden.size ? profileOf(weightedSum([]), [], hidden) : null;
    const parts: [TermVector | CompiledVector, number][] = [];
    if (topics) parts.push([topics, w.topics]);
    for (const kind of ['more', 'less'] as const) {
      const these = withVector.filter((c) => c.choice === kind);
      if (!these.length) continue;
      const scale = (kind === 'more' ? w.liked : -w.disliked) / these.length;
      for (const c of these) parts.push([c.vector!, scale * 0.5 ** (Math.max(0, now.getTime() - c.at.getTime()) / DAY / w.halfLifeDays)]);
    }
    const liked = withVector.filter((c) => c.choice === 'more').map((c) => ({ title: c.title, vector: c.vector! }));
    return profileOf(weightedSum(parts), liked, hidden);
  }

  /**
   * Orders candidates (given in community order) by (1 - w) x community + w x similarity to the profile, both
   * on a 0..1 (similarity -1..1) scale. The default w (0.8) lets a reader's feedback outweigh the crowd: a
   * paper like the ones they liked rises from the bottom of the pool above an unrelated top paper. Papers the reader hid never come back. Pure and deterministic: equal
   * inputs give equal lists, so readers with the same profile share a render. With no profile, the order is
   * the community's. Only the first `limit` places are returned.
   */
  function rank<P extends { id: string; vector?: TermVector | null }>(candidates: P[], profile: Profile | null, w: RankWeights, limit = Infinity): Ranked<P>[] {
    const kept = profile ? candidates.filter((p) => !profile.hidden.has(p.id)) : candidates;
    if (!profile || !w.profile || !profile.compiled.ids.length) return kept.slice(0, limit).map((paper) => ({ paper, because: null }));
    const sims = similarities(profile.compiled, kept.map((p) => p.vector));
    // Likeness and unlikeness are scaled apart: a strongly disliked neighbour must not make the liked ones look faint.
    const up = Math.max(SIMILARITY_FLOOR, ...sims);
    const down = Math.max(SIMILARITY_FLOOR, ...sims.map((x) => -x));
    const n = kept.length;
    const scored = kept.map((paper, i) => ({
      paper,
      i,
      score: (1 - w.profile) * (n > 1 ? 1 - i / (n - 1) : 1) + w.profile * (sims[i]! >= 0 ? sims[i]! / up : sims[i]! / down),
    }));
    scored.sort((a, b) => b.score - a.score || a.i - b.i);
    return scored.slice(0, limit).map((s, place) => ({ paper: s.paper, because: place < s.i ? becauseOf(s.paper, profile) : null }));
  }

  // Paper-to-liked-paper similarities, remembered per pair of vectors: within an edition the pool's papers
  // and the liked papers are the same objects for every reader, so each pair is computed once.
  const pairs = new WeakMap<TermVector, WeakMap<TermVector, number>>();
  function likeness(a: TermVector, b: TermVector): number {
    let row = pairs.get(a);
    if (!row) pairs.set(a, (row = new WeakMap()));
    let sim = row.get(b);
    if (sim === undefined) row.set(b, (sim = cosine(a, b)));
    return sim;
  }

  /** The liked paper this one is most like, when it is like one enough. */
  function becauseOf(p: { vector?: TermVector | null }, profile: Profile): string | null {
    if (!p.vector) return null;
    let best: { title: string; sim: number } | null = null;
    for (const l of profile.liked) {
      const sim = likeness(p.vector, l.vector);
      if (sim >= BECAUSE_MIN && (!best || sim > best.sim)) best = { title: l.title, sim };
    }
    return best?.title ?? null;
  }

  /**
   * The candidates of `personalList` for many readers of one pool: the pool's papers that match a reader's
   * topics and that they never had, in pool order. Each topic is matched against the pool once and kept as
   * bits over its places; a reader's candidates are then two bit operations with their history's bits and a
   * walk over the places, where the filter asked every paper of the pool (a lookup per paper and topic, for
   * each of a million readers). `historyIds` are the places their history's bits stand for; a pool in another
   * order (a paper gone since) falls back to asking each paper.
   */
  function poolCandidates<P extends Matchable & { id: string }>(pool: P[], historyIds: readonly string[]): (topics: string[], had: PlacesHad | null) => P[] {
    const aligned = pool.length <= 62 && pool.length === historyIds.length && pool.every((p, k) => p.id === historyIds[k]);
    if (!aligned) return (topics, had) => personalCandidates(pool, topics, had ?? NOTHING_HAD);
    const bitsOf = (keep: (p: P) => boolean) => {
      let lo = 0;
      let hi = 0;
      for (let k = 0; k < pool.length; k++) {
        if (!keep(pool[k]!)) continue;
        if (k < 31) lo |= 1 << k;
        else hi |= 1 << (k - 31);
      }
      return [lo, hi] as const;
    };
    const everything = bitsOf(() => true);
    const byTopic = new Map<string, readonly [number, number]>();
    return (topics, had) => {
      let lo = topics.length ? 0 : everything[0];
      let hi = topics.length ? 0 : everything[1];
      for (const topic of topics) {
        let bits = byTopic.get(topic);
        if (!bits) {
          byTopic.set(topic, (bits = bitsOf(topicMatcher([topic]))));
          if (byTopic.size > TOPICS_KEPT) byTopic.delete(byTopic.keys().next().value!);
        }
        lo |= bits[0];
        hi |= bits[1];
      }
      if (had) {
        lo &= ~had.lo;
        hi &= ~had.hi;
      }
      const out: P[] = [];
      for (let k = 0; k < pool.length; k++) if (((k < 31 ? lo >>> k : hi >>> (k - 31)) & 1) === 1) out.push(pool[k]!);
      return out;
    };
  }

  /** The pool's papers that match the topics and that the reader never received, in pool order. */
  function personalCandidates<P extends Matchable & { id: string }>(pool: P[], topics: string[], received: PapersSeen): P[] {
    const matches = topicMatcher(topics);
    return pool.filter((p) => !received.has(p.id) && matches(p));
  }

  /**
   * One reader's list: the pool's papers that match their topics and that they never received, ordered by
   * their ranking (the community's order when they have no profile), cut to their size.
   */
  function personalList<P extends Matchable & { id: string; vector?: TermVector | null }>(
    pool: P[],
    topics: string[],
    received: PapersSeen,
    size: number,
    profile: Profile | null,
    w: RankWeights,
  ): Ranked<P>[] {
    return rank(personalCandidates(pool, topics, received), profile, w, size);
  }

  return { topicHits, anchorOf, topicAnchor, buildProfile, rank, poolCandidates, personalList };
}
