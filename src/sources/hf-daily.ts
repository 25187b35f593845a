import type { NormalizedPaper } from '../domain/paper.js';
import { arxivId, arxivLinks, collapse, positionOf, SourceError, type ParseResult } from './paper.js';

const SOURCE = 'hf';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** Parses JSON text, or throws a SourceError with the position of the fault. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    throw new SourceError(source, `not valid JSON: ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}`, at ? positionOf(text, Number(at[1])) : undefined);
  }
}

/**
 * Hugging Face Daily Papers (`/api/daily_papers`): an array of items; `upvotes` lives under `paper`,
 * `numComments` and `thumbnail` at the top; the featured day is `paper.submittedOnDailyAt`.
 */
export function parseHfDaily(text: string): ParseResult {
  const data = parseJsonText(text, SOURCE);
  if (!Array.isArray(data)) throw new SourceError(SOURCE, 'expected a JSON array of daily papers');
  const result: ParseResult = { papers: [], skipped: [] };
  data.forEach((raw, i) => {
    const item = obj(raw);
    const paper = obj(item?.paper);
    const ref = `item ${i + 1}`;
    const id = str(paper?.id) ? arxivId(String(paper!.id)) ?? String(paper!.id).trim() : null;
    const title = collapse(item?.title ?? paper?.title);
    if (!item || !paper) return void result.skipped.push({ ref, reason: 'no "paper" object' });
    if (!id) return void result.skipped.push({ ref, reason: 'no paper id' });
    if (!title) return void result.skipped.push({ ref: id, reason: 'no title' });
    if (str(paper.withdrawnAt)) return void result.skipped.push({ ref: id, reason: 'withdrawn' });
    const authors = (Array.isArray(paper.authors) ? paper.authors : []).map((a) => collapse(obj(a)?.name)).filter(Boolean);
    const org = obj(paper.organization);
    const featured = str(paper.submittedOnDailyAt) ?? str(item.publishedAt);
    const p: NormalizedPaper = {
      id,
      title,
      abstract: collapse(paper.summary ?? item.summary),
      authors,
      upvotes: num(paper.upvotes),
      comments: num(item.numComments),
      publishedAt: str(paper.publishedAt),
      featuredOn: featured && !Number.isNaN(Date.parse(featured)) ? new Date(featured).toISOString().slice(0, 10) : null,
      links: {
        ...arxivLinks(id),
        ...(str(paper.githubRepo) ? { github: str(paper.githubRepo)! } : {}),
        ...(num(paper.githubStars) !== null ? { githubStars: num(paper.githubStars)! } : {}),
        ...(str(paper.projectPage) ? { project: str(paper.projectPage)! } : {}),
      },
      summary: str(paper.ai_summary),
      thumbnail: str(item.thumbnail),
      keywords: Array.isArray(paper.ai_keywords) ? paper.ai_keywords.map(collapse).filter(Boolean) : [],
      organization: str(org?.fullname) ?? str(org?.name),
      source: SOURCE,
      sourceRank: i + 1,
    };
    result.papers.push(p);
  });
  return result;
}
