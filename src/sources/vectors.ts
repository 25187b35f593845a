import { Worker } from 'node:worker_threads';
import type { VectorText } from '../domain/paper-vectors.js';
import type { TermVector } from '../domain/term-vectors.js';

/** The recent papers' texts, and where their vectors go (bound to the papers repository by the runtime). */
export interface VectorStore {
  /** Papers first seen since `since`, newest first, at most `limit`, with whether each has a vector. */
  texts(since: Date, limit: number): Promise<(VectorText & { hasVector: boolean })[]>;
  setVectors(vectors: Map<string, TermVector>): Promise<void>;
}

/** The corpus a paper's vector is weighed against: the papers first seen in the last 30 days, at most 5,000. */
const CORPUS_DAYS = 30;
const CORPUS_MAX = 5000;

/**
 * Computes the text vectors of the recent papers over each other (after an ingest, or when an edition finds
 * a paper without one), so that a term's weight reflects how rare it is among the papers of the moment.
 * Returns how many were stored. `onlyMissing` stops early when every recent paper already has one; `since` widens the corpus.
 */
export async function refreshVectors(
  papers: VectorStore,
  now: Date,
  opts: { onlyMissing?: boolean; since?: Date } = {},
): Promise<number> {
  const since = Math.min(now.getTime() - CORPUS_DAYS * 86_400_000, opts.since?.getTime() ?? Infinity);
  const corpus = await papers.texts(new Date(since), CORPUS_MAX);
  if (!corpus.length || (opts.onlyMissing && corpus.every((p) => p.hasVector))) return 0;
  const vectors = await vectorizeApart(corpus);
  await papers.setVectors(vectors);
  return vectors.size;
}

/** vectorize() in a worker thread that ends with the job, so that its language model does not stay resident. */
function vectorizeApart(papers: VectorText[]): Promise<Map<string, TermVector>> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(new URL('./vectorize-thread.mjs', import.meta.url), {
      workerData: { papers: papers.map(({ id, title, abstract, keywords }) => ({ id, title, abstract, keywords })) },
      // Node's own flags only (the heap limits are the process's): the .mjs entry loads TypeScript through tsx.
      execArgv: [],
    });
    let result: Map<string, TermVector> | null = null;
    thread.once('message', (entries: [string, TermVector][]) => (result = new Map(entries)));
    thread.once('error', reject);
    thread.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the vectorizing thread exited with ${code} and no result`))));
  });
}
