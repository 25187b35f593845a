import type { NormalizedPaper } from '../domain/paper.js';
import { createHash } from 'node:crypto';
import { SourceError, type ParseResult } from './paper.js';

/** A stable id for a paper known only by its title: the same title always gets the same id. */
function titleId(title: string): string {
  const key = title.toLowerCase().replace(/\s+/g, ' ').trim();
  return `t-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();
const DATE_LINE = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}$/;

export interface SeedPage {
  /** The page's date label, such as "Mar 13" (the page gives no year). */
  dateLabel: string | null;
  papers: NormalizedPaper[];
}

/**
 * Parses the text of the Hugging Face Daily Papers page: a banner, a date line,
 * then for each paper a title line followed by an abstract line.
 */
export function parseSeedPage(text: string): SeedPage {
  const lines = text.split(/\r?\n/).map(collapse).filter(Boolean);
  const dateAt = lines.findIndex((l) => DATE_LINE.test(l));
  if (dateAt < 0) throw new SourceError('seed', 'no date line such as "Mar 13" before the papers');
  const body = lines.slice(dateAt + 1);
  if (body.length % 2 !== 0) throw new SourceError('seed', `${body.length} lines after the date, expected title/abstract pairs`);
  const papers: NormalizedPaper[] = [];
  for (let i = 0; i < body.length; i += 2) {
    const title = body[i]!;
    papers.push({
      id: titleId(title),
      title,
      abstract: body[i + 1]!,
      authors: [],
      links: { arxiv: `https://arxiv.org/search/?searchtype=title&query=${encodeURIComponent(title)}` },
      source: 'hf-daily-page',
      sourceRank: i / 2 + 1,
    });
  }
  return { dateLabel: lines[dateAt]!, papers };
}

/** The seed page as a source like any other. */
export function parseSeed(text: string): ParseResult {
  return { papers: parseSeedPage(text).papers, skipped: [] };
}
