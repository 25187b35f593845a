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
