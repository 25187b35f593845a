import { readFile } from 'node:fs/promises';
import type { NormalizedPaper } from '../domain/paper.js';
import { refreshVectors } from '../sources/vectors.js';
import type { PapersRepo, UpsertResult } from '../db/papers-repo.js';

const SEED_FILE = new URL('../../seeds/papers.json', import.meta.url);

/** Loads seeds/papers.json (the papers of the seed page), with their text vectors; idempotent. */
export async function seedPapers(papers: PapersRepo): Promise<UpsertResult & { total: number }> {
  const file = JSON.parse(await readFile(SEED_FILE, 'utf8')) as { papers: NormalizedPaper[] };
  const result = await papers.upsert(file.papers);
  await refreshVectors(papers, new Date());
  return { ...result, total: file.papers.length };
}

/** Seeds only an empty catalogue, so the very first digest has content. */
export async function seedIfEmpty(papers: PapersRepo): Promise<boolean> {
  if ((await papers.count()) > 0) return false;
  await seedPapers(papers);
  return true;
}
