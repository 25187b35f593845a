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
  // Word boundaries that also work around dots and hyphens in topics like "cs.LG" or "text-to-image".
  const patterns = topics.map((t) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(t.toLowerCase()).replace(/ /g, '\\s+')}(?![\\p{L}\\p{N}])`, 'iu'));
  return (paper) => {
    const text = [paper.title, paper.abstract, ...(paper.keywords ?? []), ...(paper.categories ?? [])].join(' \n ');
    return patterns.some((re) => re.test(text));
  };
}

/**
 * One reader's list: the pool, in rank order, filtered by their topics and by what they already
 * received, cut to their size. Pure, so readers with equal inputs get equal lists.
 */
export function readerList<P extends Matchable & { id: string }>(pool: P[], topics: string[], received: ReadonlySet<string>, size: number): P[] {
  const matches = topicMatcher(topics);
  const out: P[] = [];
  for (const p of pool) {
    if (out.length >= size) break;
    if (!received.has(p.id) && matches(p)) out.push(p);
  }
  return out;
}
