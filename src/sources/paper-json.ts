import { z } from 'zod';
import { parseJsonText } from './hf-daily.js';
import { arxivId, arxivLinks, collapse, SourceError, type ParseResult } from './paper.js';

const SOURCE = 'json';
const url = z.url({ protocol: /^https?$/ });
const count = z.number().int().min(0);

// The project's own shape, for people who bring their own list: only id and title are required.
const item = z.object({
  id: z.string().trim().min(1),
  title: z.string().min(1),
  abstract: z.string().optional(),
  authors: z.array(z.string()).optional(),
  upvotes: count.nullish(),
  comments: count.nullish(),
  publishedAt: z.iso.datetime({ offset: true }).nullish(),
  featuredOn: z.iso.date().nullish(),
  links: z
    .object({ hf: url, arxiv: url, pdf: url, github: url, githubStars: count, project: url, doi: url })
    .partial()
    .optional(),
  summary: z.string().nullish(),
  thumbnail: url.nullish(),
  keywords: z.array(z.string()).optional(),
  categories: z.array(z.string()).optional(),
  organization: z.string().nullish(),
});

/** A plain JSON array of papers in papermail's own shape (see README). */
export function parsePaperJson(text: string): ParseResult {
  const data = parseJsonText(text, SOURCE);
  const list = Array.isArray(data) ? data : (data as { papers?: unknown })?.papers;
  if (!Array.isArray(list)) throw new SourceError(SOURCE, 'expected a JSON array of papers (or {"papers": [...]})');
  const result: ParseResult = { papers: [], skipped: [] };
  list.forEach((raw, i) => {
    const parsed = item.safeParse(raw);
    const ref = (raw as { id?: unknown })?.id ? String((raw as { id: unknown }).id) : `item ${i + 1}`;
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return void result.skipped.push({ ref, reason: `${issue.path.join('.') || 'item'}: ${issue.message}` });
    }
    const p = parsed.data;
    const id = arxivId(p.id) ?? p.id;
    result.papers.push({
      ...p,
      id,
      title: collapse(p.title),
      abstract: collapse(p.abstract ?? ''),
      authors: (p.authors ?? []).map(collapse).filter(Boolean),
      links: { ...(arxivId(p.id) ? arxivLinks(id) : {}), ...p.links },
      source: SOURCE,
      sourceRank: i + 1,
    });
  });
  return result;
}
