import type { Config } from '../config.js';
import { parseArxivAtom } from './arxiv-atom.js';
import { parseArxivRss } from './arxiv-rss.js';
import { parseHfDaily } from './hf-daily.js';
import type { ParseResult } from './paper.js';
import { parsePaperJson } from './paper-json.js';
import { parseSeed } from './seed-page.js';

export const SOURCE_KINDS = ['hf', 'arxiv', 'arxiv-rss', 'seed', 'json'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** One pure parser per source: text in, normalized papers out. */
export const PARSERS: Record<SourceKind, (text: string) => ParseResult> = {
  hf: parseHfDaily,
  arxiv: parseArxivAtom,
  'arxiv-rss': parseArxivRss,
  seed: parseSeed,
  json: parsePaperJson,
};

/** A source the scheduled ingest fetches: its parser and URL. */
export interface FeedSpec {
  kind: SourceKind;
  url: string;
}

/** Turns a PAPER_SOURCES entry (`hf`, `arxiv:cs.LG+cs.CL`, `arxiv-rss:cs.LG`) into what to fetch. */
export function feedOf(entry: string, ingest: Config['ingest'], opts: { date?: string } = {}): FeedSpec {
  const [kind, arg = ''] = entry.split(/:(.*)/s) as [string, string?];
  if (kind === 'hf') {
    const q = new URLSearchParams({ limit: '100', ...(opts.date ? { date: opts.date } : {}) });
    return { kind: 'hf', url: `${ingest.hfApiUrl}?${q}` };
  }
  const cats = arg.split('+').filter(Boolean);
  if (!cats.length) throw new Error(`source "${entry}" names no arXiv category, e.g. ${kind}:cs.LG+cs.CL`);
  if (kind === 'arxiv') {
    const query = cats.map((c) => `cat:${c}`).join('+OR+');
    return { kind: 'arxiv', url: `${ingest.arxivApiUrl}?search_query=${query}&sortBy=submittedDate&sortOrder=descending&max_results=100` };
  }
  if (kind === 'arxiv-rss') return { kind: 'arxiv-rss', url: `${ingest.arxivRssUrl}/rss/${cats.join('+')}` };
  throw new Error(`unknown paper source "${entry}"`);
}
