// The reader's own ranking with fixed vectors: a liked paper's near neighbour rises, a hidden one's sinks,
// the reasons are named, and with no profile the order is the community's.
import { DEFAULT_RANK_WEIGHTS } from '../../../src/domain/rank-weights.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PapersHad } from '../../../src/domain/reader.js';
import { terms, vectorize } from '../../../src/domain/paper-vectors.js';
import { createTermSpace } from '../../../src/domain/term-vectors.js';
import { createRanker, type Choice } from '../../../src/domain/ranking.js';

const { cosine } = createTermSpace();
const { buildProfile, personalList, poolCandidates, rank, topicAnchor } = createRanker();

const NOW = new Date('2026-11-30T08:00:00Z');
const v = (entries: Record<string, number>) => entries;
// Community order: a (top) ... f. b and e are about diffusion; c and f about finance; a and d about robots.
const pool = [
  { id: 'a', title: 'Robot arms', abstract: '', vector: v({ robot: 1 }) },
  { id: 'b', title: 'Diffusion for images', abstract: '', vector: v({ diffusion: 0.8, image: 0.6 }) },
  { id: 'c', title: 'Stock prices', abstract: '', vector: v({ stock: 0.8, finance: 0.6 }) },
  { id: 'd', title: 'Robot legs', abstract: '', vector: v({ robot: 0.9, leg: 0.44 }) },
  { id: 'e', title: 'Video diffusion', abstract: '', vector: v({ diffusion: 0.9, video: 0.44 }) },
  { id: 'f', title: 'Finance agents', abstract: '', vector: v({ finance: 0.9, agent: 0.44 }) },
];
const choice = (paperId: string, c: 'more' | 'less', vector: Record<string, number>, daysAgo = 1): Choice => ({
  paperId,
  title: `Paper ${paperId}`,
  choice: c,
  at: new Date(NOW.getTime() - daysAgo * 86_400_000),
  vector,
});
const ids = (list: { paper: { id: string } }[]) => list.map((r) => r.paper.id);

describe('ranking', () => {
  it('with no profile keeps the community order, and names no reason', () => {
    expect(buildProfile(null, [], DEFAULT_RANK_WEIGHTS, NOW)).toBeNull();
    const list = rank(pool, null, DEFAULT_RANK_WEIGHTS);
    expect(ids(list)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(list.every((r) => r.because === null)).toBe(true);
    expect(ids(personalList(pool, [], new Set(), 10, null, DEFAULT_RANK_WEIGHTS))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it("lifts a liked paper's neighbours, sinks a hidden one's, and says why", () => {
    const profile = buildProfile(null, [choice('x', 'more', v({ diffusion: 1 })), choice('y', 'less', v({ finance: 1 }))], DEFAULT_RANK_WEIGHTS, NOW);
    const list = rank(pool, profile, DEFAULT_RANK_WEIGHTS);
    const order = ids(list);
    expect(order.slice(0, 2).sort()).toEqual(['b', 'e']);
    expect(order.slice(-2).sort()).toEqual(['c', 'f']);
    expect(list.find((r) => r.paper.id === 'e')!.because).toBe('Paper x');
    // A paper that did not rise owes nothing to the profile.
    expect(list.find((r) => r.paper.id === 'a')!.because).toBeNull();
  });

  it('never brings back a paper the reader hid, and lets old choices fade', () => {
    const hidden = buildProfile(null, [choice('b', 'less', v({ diffusion: 0.8, image: 0.6 }))], DEFAULT_RANK_WEIGHTS, NOW);
    expect(ids(rank(pool, hidden, DEFAULT_RANK_WEIGHTS))).not.toContain('b');
    const fresh = buildProfile(null, [choice('x', 'more', v({ diffusion: 1 }), 1)], DEFAULT_RANK_WEIGHTS, NOW)!;
    const old = buildProfile(null, [choice('x', 'more', v({ diffusion: 1 }), 365)], DEFAULT_RANK_WEIGHTS, NOW)!;
    expect(old.vector.diffusion!).toBeLessThan(fresh.vector.diffusion! / 50);
  });

  it('orders equal inputs equally (one render per distinct list), and turns off with a zero weight', () => {
    const p = () => buildProfile(topicAnchor(['diffusion'], pool), [choice('x', 'more', v({ robot: 1 }))], DEFAULT_RANK_WEIGHTS, NOW);
    expect(ids(rank(pool, p(), DEFAULT_RANK_WEIGHTS))).toEqual(ids(rank(pool, p(), DEFAULT_RANK_WEIGHTS)));
    expect(ids(rank(pool, p(), { ...DEFAULT_RANK_WEIGHTS, profile: 0 }))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});

describe('paper vectors (wink-nlp BM25)', () => {
  it('stems, drops stop words, and makes papers on one subject closer than papers on two', () => {
    expect(terms('The diffusion models are denoising images')).toEqual(['diffus', 'model', 'denois', 'imag']);
    const vectors = vectorize([
      { id: '1', title: 'Denoising diffusion models for image synthesis', abstract: 'We train a diffusion model that generates images.' },
      { id: '2', title: 'Latent diffusion for high-resolution images', abstract: 'Diffusion in a latent space makes image synthesis cheap.' },
      { id: '3', title: 'Forecasting stock returns with transformers', abstract: 'Financial time series and market returns.' },
    ]);
    expect(Object.values(vectors.get('1')!).reduce((s, w) => s + w * w, 0)).toBeCloseTo(1, 2);
    expect(cosine(vectors.get('1')!, vectors.get('2')!)).toBeGreaterThan(0.1);
    expect(cosine(vectors.get('1')!, vectors.get('3')!)).toBe(0);
  });
});

describe('topics in the profile', () => {
  it('are the centroid of the pool papers they match, and anchor the profile once there is feedback', () => {
    const robots = topicAnchor(['robot'], pool)!;
    expect(Object.keys(robots).sort()).toEqual(['leg', 'robot']);
    expect(topicAnchor(['origami'], pool)).toBeNull();
    expect(topicAnchor([], pool)).toBeNull();
    expect(buildProfile(robots, [], DEFAULT_RANK_WEIGHTS, NOW)).toBeNull();
    const anchored = buildProfile(robots, [choice('x', 'more', v({ diffusion: 1 }))], DEFAULT_RANK_WEIGHTS, NOW)!;
    expect(Object.keys(anchored.vector).sort()).toEqual(['diffusion', 'leg', 'robot']);
  });
});

describe('poolCandidates', () => {
  const VOCAB = ['diffusion', 'robot', 'Language Model', 'cs.LG', 'text-to-image', 'graph', 'RL', 'vision'];
  const paperArb = fc.record({
    title: fc.array(fc.constantFrom(...VOCAB, 'the', 'of'), { maxLength: 6 }).map((w) => w.join(' ')),
    abstract: fc.array(fc.constantFrom(...VOCAB, 'and'), { maxLength: 8 }).map((w) => w.join(' ')),
    categories: fc.array(fc.constantFrom('cs.LG', 'cs.CV', 'cs.RO'), { maxLength: 2 }),
  });
  const topicsArb = fc.array(fc.constantFrom(...VOCAB, 'language model', 'GRAPH', 'absent topic'), { maxLength: 3 });
  // Each paper's bit in the history's two words is its place in the pool, as readers-repo's PapersHad reads it.
  const hadOf = (ids: string[], lo: number, hi: number) => new PapersHad(new Map(ids.map((id, k) => [id, k])), lo, hi);

  it("gives personalList's candidates, from bits, for any pool of up to 62 papers, topics and history", () => {
    fc.assert(
      fc.property(fc.array(paperArb, { minLength: 1, maxLength: 62, size: 'max' }), fc.array(topicsArb, { minLength: 1, maxLength: 8 }), fc.nat(2 ** 31 - 1), fc.nat(2 ** 31 - 1), (texts, readers, lo, hi) => {
        const pool = texts.map((t, k) => ({ ...t, id: `2512.${String(k).padStart(5, '0')}` }));
        const ids = pool.map((p) => p.id);
        const candidates = poolCandidates(pool, ids);
        for (const topics of readers) {
          for (const had of [hadOf(ids, lo, hi), null]) {
            const plain = personalList(pool, topics, had ?? { has: () => false }, Infinity, null, DEFAULT_RANK_WEIGHTS).map((r) => r.paper);
            expect(candidates(topics, had)).toEqual(plain);
          }
        }
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });

  it('asks each paper when the history stands for another order of the pool (a paper gone since)', () => {
    const pool = [
      { id: 'a', title: 'diffusion', abstract: '' },
      { id: 'c', title: 'robot', abstract: '' },
    ];
    const historyIds = ['a', 'b', 'c'];
    // The history has 'c' (place 2 of historyIds), not 'a'.
    const had = new PapersHad(new Map(historyIds.map((id, k) => [id, k])), 0b100, 0);
    expect(poolCandidates(pool, historyIds)([], had).map((p) => p.id)).toEqual(['a']);
    expect(poolCandidates(pool, historyIds)(['robot'], null).map((p) => p.id)).toEqual(['c']);
    // The same papers in another order: place 0 of the history is 'a', which is second in this pool.
    const swapped = [pool[1]!, pool[0]!];
    const hadA = new PapersHad(new Map([['a', 0], ['c', 1]]), 0b01, 0);
    expect(poolCandidates(swapped, ['a', 'c'])([], hadA).map((p) => p.id)).toEqual(['c']);
  });
});
