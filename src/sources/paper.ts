import type { PaperLinks } from '../db/schema.js';

/** One paper as every source produces it, before it is stored. */
export interface NormalizedPaper {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  upvotes?: number;
  publishedAt?: string | null;
  featuredOn?: string | null;
  links: PaperLinks;
  summary?: string | null;
  source: string;
  sourceRank?: number | null;
}
