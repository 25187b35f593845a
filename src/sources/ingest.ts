import type { Fetcher } from './fetcher.js';
import type { NormalizedPaper, Skipped } from '../domain/paper.js';
import { PARSERS, type FeedSpec, type SourceKind } from './registry.js';
import { sanitizePaper } from './sanitize.js';

/** Where ingested papers go (bound to the papers repository by the runtime). */
export interface PaperStore {
  /** Stores papers (new ones added, known ones updated); says how many of each. */
  upsert(papers: NormalizedPaper[]): Promise<{ added: number; updated: number }>;
}

export interface IngestReport {
  source: SourceKind;
  from: string;
  seen: number;
  added: number;
  updated: number;
  skipped: Skipped[];
  /** Links left out of stored papers because they were not plain http(s) URLs. */
  droppedLinks: number;
}

// Each batch is one INSERT … ON CONFLICT statement, so one transaction: never half-written.
const BATCH = 500;

/**
 * Parses a document of one source and stores its papers; throws SourceError on unreadable input. Every item
 * passes the content policy on its own: a hostile item is cleaned or skipped, and never fails the others.
 */
export async function ingestText(papers: PaperStore, source: SourceKind, text: string, from: string): Promise<IngestReport> {
  const parsed = PARSERS[source](text);
  const report: IngestReport = { source, from, seen: parsed.papers.length + parsed.skipped.length, added: 0, updated: 0, skipped: [...parsed.skipped], droppedLinks: 0 };
  const clean: NormalizedPaper[] = [];
  for (const p of parsed.papers) {
    const s = sanitizePaper(p);
    if (!s.ok) {
      report.skipped.push({ ref: p.id.slice(0, 40) || p.title.slice(0, 40), reason: s.reason });
      continue;
    }
    report.droppedLinks += s.dropped.length;
    clean.push(s.paper);
  }
  for (let i = 0; i < clean.length; i += BATCH) {
    const r = await papers.upsert(clean.slice(i, i + BATCH));
    report.added += r.added;
    report.updated += r.updated;
  }
  return report;
}

/** Fetches one feed and ingests it. A failed fetch or parse stores nothing and leaves stored papers alone. */
export async function ingestFeed(deps: { papers: PaperStore; fetcher: Fetcher }, feed: FeedSpec): Promise<IngestReport> {
  const text = await deps.fetcher.fetchText(feed.url);
  return ingestText(deps.papers, feed.kind, text, feed.url);
}

/** One line a person can read. */
export function describeReport(r: IngestReport): string {
  const dropped = r.droppedLinks ? `, ${r.droppedLinks} unsafe ${r.droppedLinks === 1 ? 'link' : 'links'} dropped` : '';
  const head = `${r.source} (${r.from}): ${r.seen} seen, ${r.added} added, ${r.updated} updated, ${r.skipped.length} skipped${dropped}`;
  return [head, ...r.skipped.map((s) => `  skipped ${s.ref}: ${s.reason}`)].join('\n');
}
