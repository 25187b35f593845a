import type { PaperLinks, NormalizedPaper } from '../domain/paper.js';
import { cleanText, safeUrl } from '../domain/safe-content.js';

const LINK_KEYS = ['hf', 'arxiv', 'pdf', 'github', 'project', 'doi'] as const;

/** How much of each field a digest can use; a feed that sends more is cut here, not in every mail. */
export const LIMITS = { id: 100, title: 500, abstract: 10_000, summary: 2_000, organization: 200, author: 200, authors: 100, tag: 100, tags: 50 } as const;

/** Cuts text to `max` characters, on a character (never inside a surrogate pair), marking the cut. */
const cut = (s: string, max: number) => (s.length <= max ? s : `${Array.from(s.slice(0, max)).slice(0, -1).join('').trimEnd()}…`);

/** A paper made safe to store and show, with the links it lost; or why the whole item is left out. */
export type Sanitized = { ok: true; paper: NormalizedPaper; dropped: string[] } | { ok: false; reason: string };

/**
 * Applies the content policy (domain/safe-content.ts) to one parsed item of any source: control characters
 * leave every text field, and every link that is not a plain http(s) URL is dropped and named. An item with
 * no id or title left is skipped, never the document.
 */
export function sanitizePaper(p: NormalizedPaper): Sanitized {
  // Names, titles and tags are one line: a line break (CRLF from a feed) becomes a space.
  const line = (s: string) => cleanText(s).replace(/\s+/g, ' ').trim();
  const text = (s: string | null | undefined, max: number) => (typeof s === 'string' ? cut(line(s), max) : s);
  const list = (xs: string[] | undefined, each: number, most: number) =>
    xs?.slice(0, most * 2).map((x) => cut(line(x), each)).filter(Boolean).slice(0, most);
  const id = line(p.id);
  const title = cut(line(p.title), LIMITS.title);
  if (!id) return { ok: false, reason: 'no id left after removing control characters' };
  if (id.length > LIMITS.id) return { ok: false, reason: `an id longer than ${LIMITS.id} characters` };
  if (!title) return { ok: false, reason: 'no title left after removing control characters' };
  const dropped: string[] = [];
  const links: PaperLinks = {};
  for (const key of LINK_KEYS) {
    const raw = p.links[key];
    if (raw === undefined) continue;
    const safe = safeUrl(raw);
    if (safe) links[key] = safe;
    else dropped.push(`${key} link ${JSON.stringify(String(raw).slice(0, 60))}`);
  }
  if (typeof p.links.githubStars === 'number' && Number.isFinite(p.links.githubStars)) links.githubStars = p.links.githubStars;
  let thumbnail = p.thumbnail ?? null;
  if (thumbnail !== null && !(thumbnail = safeUrl(thumbnail))) dropped.push('thumbnail');
  return {
    ok: true,
    dropped,
    paper: {
      ...p,
      id,
      title,
      abstract: cut(cleanText(p.abstract), LIMITS.abstract),
      authors: list(p.authors, LIMITS.author, LIMITS.authors) ?? [],
      summary: text(p.summary, LIMITS.summary),
      organization: text(p.organization, LIMITS.organization),
      keywords: list(p.keywords, LIMITS.tag, LIMITS.tags),
      categories: list(p.categories, LIMITS.tag, LIMITS.tags),
      links,
      thumbnail,
    },
  };
}
