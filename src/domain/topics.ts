/** What topic matching needs to know of a paper. */
export interface Matchable {
  title: string;
  abstract: string;
  keywords?: string[] | null;
  categories?: string[] | null;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Normalizes a reader's topics: trimmed, inner spaces collapsed, case-insensitively unique. */
export function normalizeTopics(topics: string[]): string[] {
  const seen = new Map<string, string>();
  for (const t of topics) {
    const clean = t.replace(/\s+/g, ' ').trim();
    if (clean && !seen.has(clean.toLowerCase())) seen.set(clean.toLowerCase(), clean);
  }
  return [...seen.values()];
}

/**
 * Builds a matcher for a reader's topics: case-insensitive, on whole words or phrases, over title,
 * abstract, keywords and categories. No topics means everything matches.
 */
export function topicMatcher(topics: string[]): (paper: Matchable) => boolean {
  if (!topics.length) return () => true;
  const key = topics.join('\n');
  let matcher = matchers.get(key);
  if (!matcher) {
    // Word boundaries that also work around dots and hyphens in topics like "cs.LG" or "text-to-image".
    const patterns = topics.map((t) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(t.toLowerCase()).replace(/ /g, '\\s+')}(?![\\p{L}\\p{N}])`, 'iu'));
    const seen = new WeakMap<Matchable, boolean>();
    matcher = (paper) => {
      let hit = seen.get(paper);
      if (hit === undefined) {
        const text = textOf(paper);
        hit = patterns.some((re) => re.test(text));
        seen.set(paper, hit);
      }
      return hit;
    };
    matchers.set(key, matcher);
    if (matchers.size > 10_000) matchers.delete(matchers.keys().next().value!);
  }
  return matcher;
}

// An edition matches a million readers against the same fifty papers: each paper's text is joined once, each
// set of topics compiled once, and each (topics, paper) pair decided once.
const texts = new WeakMap<Matchable, string>();
const matchers = new Map<string, (paper: Matchable) => boolean>();
function textOf(paper: Matchable): string {
  let text = texts.get(paper);
  if (text === undefined) {
    text = [paper.title, paper.abstract, ...(paper.keywords ?? []), ...(paper.categories ?? [])].join(' \n ');
    texts.set(paper, text);
  }
  return text;
}
