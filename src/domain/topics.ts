import { escapeRegExp } from './html.js';
/** What topic matching needs to know of a paper. */
export interface Matchable {
  title: string;
  abstract: string;
  keywords?: string[] | null;
  categories?: string[] | null;
}


/** Normalizes a reader's topics: trimmed, inner spaces collapsed, case-insensitively unique. */
export function normalizeTopics(topics: string[]): string[] {
  const seen = new Map<string, string>();
  for (const t of topics) {
    const clean = t.replace(/\s+/g, ' ').trim();
    if (clean && !seen.has(clean.toLowerCase())) seen.set(clean.toLowerCase(), clean);
  }
  return [...seen.values()];
}

/** Builds a matcher for a reader's topics (see createTopicMatcher), compiled afresh. */
export function topicMatcher(topics: string[]): (paper: Matchable) => boolean {
  return createTopicMatcher()(topics);
}

/**
 * A topic matcher that remembers: case-insensitive, on whole words or phrases, over title, abstract,
 * keywords and categories; no topics means everything matches. An edition matches a million readers against
 * the same fifty papers: each paper's text is joined once, each topic compiled once, and each (topic, paper)
 * pair decided once (readers share topics far more than topic sets). What it remembers is its own.
 */
export function createTopicMatcher(): (topics: string[]) => (paper: Matchable) => boolean {
  const texts = new WeakMap<Matchable, string>();
  const topicCache = new Map<string, (paper: Matchable) => boolean>();
  const textOf = (paper: Matchable): string => {
    let text = texts.get(paper);
    if (text === undefined) {
      text = [paper.title, paper.abstract, ...(paper.keywords ?? []), ...(paper.categories ?? [])].join(' \n ');
      texts.set(paper, text);
    }
    return text;
  };
  const oneTopic = (topic: string): ((paper: Matchable) => boolean) => {
    const key = topic.toLowerCase();
    let matcher = topicCache.get(key);
    if (!matcher) {
      // Word boundaries that also work around dots and hyphens in topics like "cs.LG" or "text-to-image".
      const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(key).replace(/ /g, '\\s+')}(?![\\p{L}\\p{N}])`, 'iu');
      const seen = new WeakMap<Matchable, boolean>();
      matcher = (paper) => {
        let hit = seen.get(paper);
        if (hit === undefined) seen.set(paper, (hit = re.test(textOf(paper))));
        return hit;
      };
      topicCache.set(key, matcher);
      if (topicCache.size > 10_000) topicCache.delete(topicCache.keys().next().value!);
    }
    return matcher;
  };
  return (topics) => {
    if (!topics.length) return () => true;
    const each = topics.map(oneTopic);
    return (paper) => each.some((m) => m(paper));
  };
}
