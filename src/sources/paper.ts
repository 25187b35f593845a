import type { NormalizedPaper, PaperLinks, Skipped } from '../domain/paper.js';

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
