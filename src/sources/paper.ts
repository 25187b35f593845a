import type { PaperLinks } from '../db/schema.js';

/** One paper as every source produces it, before it is stored. Absent fields are unknown, not zero. */
export interface NormalizedPaper {
  /** arXiv id without version where known. */
  id: string;
  title: string;
  abstract: string;
  /** In the paper's own order. */
  authors: string[];
  upvotes?: number | null;
  comments?: number | null;
  publishedAt?: string | null;
  /** The day Hugging Face featured it (YYYY-MM-DD). */
  featuredOn?: string | null;
  links: PaperLinks;
  /** A short AI summary, where the source has one. */
  summary?: string | null;
  thumbnail?: string | null;
  keywords?: string[];
  categories?: string[];
  organization?: string | null;
  source: string;
  sourceRank?: number | null;
}

/** A source item left out, and why. */
export interface Skipped {
  ref: string;
  reason: string;
}

/** What a parser makes of one document. */
export interface ParseResult {
  papers: NormalizedPaper[];
  skipped: Skipped[];
}

/** A document that cannot be read at all; names the source and, where known, the position. */
export class SourceError extends Error {
  constructor(
    readonly source: string,
    message: string,
    readonly position?: { line: number; column: number },
  ) {
    super(`${source}: ${message}${position ? ` (line ${position.line}, column ${position.column})` : ''}`);
  }
}

/** Collapses runs of whitespace (feeds wrap titles and abstracts) and trims. */
export const collapse = (s: unknown): string => (typeof s === 'string' ? s.replace(/\s+/g, ' ').trim() : '');

/** An arXiv id without its version, from an id or an abs/pdf URL; null when there is none. */
export function arxivId(raw: string): string | null {
  const m = /(?:^|abs\/|pdf\/|arXiv:|arXiv\.org:)((?:\d{4}\.\d{4,5})|(?:[a-z-]+(?:\.[A-Z]{2})?\/\d{7}))(?:v\d+)?(?:\.pdf)?$/i.exec(raw.trim());
  return m ? m[1]! : null;
}

/** The links every arXiv paper has. */
export function arxivLinks(id: string): PaperLinks {
  return { hf: `https://huggingface.co/papers/${id}`, arxiv: `https://arxiv.org/abs/${id}`, pdf: `https://arxiv.org/pdf/${id}` };
}

/** Line and column of a character offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}
