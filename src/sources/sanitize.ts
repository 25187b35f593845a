import type { PaperLinks } from '../db/schema.js';
import { cleanText, safeUrl } from '../domain/safe-content.js';
import type { NormalizedPaper } from './paper.js';

const LINK_KEYS = ['hf', 'arxiv', 'pdf', 'github', 'project', 'doi'] as const;

/** A paper made safe to store and show, with the links it lost; or why the whole item is left out. */
export type Sanitized = { ok: true; paper: NormalizedPaper; dropped: string[] } | { ok: false; reason: string };

/**
 * Applies the content policy (domain/safe-content.ts) to one parsed item of any source: control characters
 * leave every text field, and every link that is not a plain http(s) URL is dropped and named. An item with
 * no id or title left is skipped, never the document.
 */
export function sanitizePaper(p: NormalizedPaper): Sanitized {
  const text = (s: string | null | undefined) => (typeof s === 'string' ? cleanText(s).trim() : s);
  const list = (xs: string[] | undefined) => xs?.map((x) => cleanText(x).trim()).filter(Boolean);
  const id = cleanText(p.id).trim();
  const title = cleanText(p.title).trim();
  if (!id) return { ok: false, reason: 'no id left after removing control characters' };
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
      abstract: cleanText(p.abstract),
      authors: list(p.authors) ?? [],
      summary: text(p.summary),
      organization: text(p.organization),
      keywords: list(p.keywords),
      categories: list(p.categories),
      links,
      thumbnail,
    },
  };
}
