import { DEFAULT_RANK_WEIGHTS } from '../../../src/domain/rank-weights.js';
import { describe, expect, it } from 'vitest';
import { createRanker } from '../../../src/domain/ranking.js';
import { normalizeTopics, topicMatcher } from '../../../src/domain/topics.js';

const { personalList } = createRanker();

const paper = (id: string, title: string, extra: Partial<{ abstract: string; keywords: string[]; categories: string[] }> = {}) => ({
  id,
  title,
  abstract: extra.abstract ?? '',
  keywords: extra.keywords ?? [],
  categories: extra.categories ?? [],
});

describe('topic matching', () => {
  it('matches whole words and phrases, case-insensitively, over title, abstract, keywords and categories', () => {
    const m = topicMatcher(['diffusion', 'reinforcement learning', 'cs.CL']);
    expect(m(paper('1', 'Fast Sampling of Diffusion Models'))).toBe(true);
    expect(m(paper('2', 'Planning', { abstract: 'We use Reinforcement\n  Learning to plan.' }))).toBe(true);
    expect(m(paper('3', 'Parsing', { categories: ['cs.CL'] }))).toBe(true);
    expect(m(paper('4', 'Agents', { keywords: ['reinforcement learning'] }))).toBe(true);
    expect(m(paper('5', 'Diffusion-based generation'))).toBe(true);
    // Not inside another word, and not a part of the phrase alone.
    expect(m(paper('6', 'Interdiffusional effects'))).toBe(false);
    expect(m(paper('7', 'Learning to reinforce concrete'))).toBe(false);
    expect(m(paper('8', 'Language', { categories: ['cs.CLX'] }))).toBe(false);
  });

  it('matches everything when the reader chose no topics', () => {
    expect(topicMatcher([])(paper('1', 'Anything'))).toBe(true);
  });

  it('normalizes topics: trimmed, spaces collapsed, unique regardless of case', () => {
    expect(normalizeTopics([' Diffusion ', 'diffusion', 'reinforcement   learning', '', 'cs.LG'])).toEqual(['Diffusion', 'reinforcement learning', 'cs.LG']);
  });
});

describe('reader lists', () => {
  const pool = [paper('a', 'Diffusion one'), paper('b', 'Other'), paper('c', 'Diffusion two'), paper('d', 'Diffusion three'), paper('e', 'More')];

  it('keeps the pool order, filters by topic and by what the reader already received, and cuts to size', () => {
    expect(personalList(pool, ['diffusion'], new Set(), 2, null, DEFAULT_RANK_WEIGHTS).map((r) => r.paper.id)).toEqual(['a', 'c']);
    expect(personalList(pool, ['diffusion'], new Set(['a']), 2, null, DEFAULT_RANK_WEIGHTS).map((r) => r.paper.id)).toEqual(['c', 'd']);
    expect(personalList(pool, [], new Set(['a', 'b']), 10, null, DEFAULT_RANK_WEIGHTS).map((r) => r.paper.id)).toEqual(['c', 'd', 'e']);
    expect(personalList(pool, ['diffusion'], new Set(['a', 'c', 'd']), 10, null, DEFAULT_RANK_WEIGHTS)).toEqual([]);
  });

  it('gives equal lists to readers with equal topics and history: they share one render', () => {
    const key = (topics: string[], got: string[]) => personalList(pool, topics, new Set(got), 3, null, DEFAULT_RANK_WEIGHTS).map((r) => r.paper.id).join(',');
    expect(key(['diffusion'], [])).toBe(key(['Diffusion'], []));
    expect(key(['diffusion'], [])).not.toBe(key(['diffusion'], ['a']));
  });
});
