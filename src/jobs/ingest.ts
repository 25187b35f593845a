import type { ResolvedConfig } from '../config.js';
import type { Fetcher } from '../sources/fetcher.js';
import { describeReport, ingestFeed, type IngestReport, type PaperStore } from '../sources/ingest.js';
import { feedOf } from '../sources/registry.js';
import { refreshVectors, type VectorStore } from '../sources/vectors.js';
import type { Logger } from './logger.js';
import type { SourceRunLog } from './stores.js';
import type { IngestJob } from './queues.js';

/**
 * Ingests the configured sources one after another. A source that fails is reported and leaves its
 * papers as they were; the job then fails so BullMQ retries it later, after the others were stored. The
 * recent papers' text vectors are computed afresh after any change.
 */
export interface IngestPort {
  papers: PaperStore & VectorStore;
  sourceRuns: SourceRunLog;
  fetcher: Fetcher;
  config: Pick<ResolvedConfig, 'ingest'>;
  log: Logger;
  now: () => Date;
}

export async function runIngest(deps: IngestPort, job: IngestJob): Promise<IngestReport[]> {
  const entries = job.kind === 'all' ? deps.config.ingest.sources : [job.entry];
  const reports: IngestReport[] = [];
  const failures: string[] = [];
  for (const entry of entries) {
    try {
      const report = await ingestFeed({ papers: deps.papers, fetcher: deps.fetcher }, feedOf(entry, deps.config.ingest));
      reports.push(report);
      await deps.sourceRuns.succeeded(entry, { seen: report.seen, added: report.added, updated: report.updated });
      deps.log.info({ source: entry, added: report.added, updated: report.updated, skipped: report.skipped.length }, describeReport(report).split('\n')[0]!);
    } catch (err) {
      failures.push(`${entry}: ${(err as Error).message}`);
      // The console shows it: an operator should not need the logs to learn that a source is down.
      await deps.sourceRuns.failed(entry, (err as Error).message).catch(() => {});
      deps.log.warn({ source: entry, err: (err as Error).message }, 'ingest failed; stored papers unchanged');
    }
  }
  // New and changed papers get their text vectors, weighed against the recent papers (the ranking reads them).
  if (reports.some((r) => r.added || r.updated)) {
    const n = await refreshVectors(deps.papers, deps.now());
    deps.log.info({ papers: n }, 'paper vectors computed');
  }
  if (failures.length) throw new Error(`ingest failed for ${failures.join('; ')}`);
  return reports;
}
