import type { PapersRepo } from '../db/papers-repo.js';
import { vectorize } from '../domain/paper-vectors.js';

/** The corpus a paper's vector is weighed against: the papers first seen in the last 30 days, at most 5,000. */
const CORPUS_DAYS = 30;
const CORPUS_MAX = 5000;

/**
 * Computes the text vectors of the recent papers over each other (after an ingest, or when an edition finds
 * a paper without one), so that a term's weight reflects how rare it is among the papers of the moment.
 * Returns how many were stored. `onlyMissing` stops early when every recent paper already has one; `since` widens the corpus.
 */
export async function refreshVectors(
  papers: Pick<PapersRepo, 'texts' | 'setVectors'>,
  now: Date,
  opts: { onlyMissing?: boolean; since?: Date } = {},
): Promise<number> {
  const since = Math.min(now.getTime() - CORPUS_DAYS * 86_400_000, opts.since?.getTime() ?? Infinity);
  const corpus = await papers.texts(new Date(since), CORPUS_MAX);
  if (!corpus.length || (opts.onlyMissing && corpus.every((p) => p.hasVector))) return 0;
  const vectors = vectorize(corpus);
  await papers.setVectors(vectors);
  return vectors.size;
}
