/** A paper's links, as sources give them and readers follow them (every one http(s), checked at ingest). */
export interface PaperLinks {
  hf?: string;
  arxiv?: string;
  pdf?: string;
  github?: string;
  githubStars?: number;
  project?: string;
  doi?: string;
}

/** A stored paper (papers in src/db/schema.ts). */
export type Paper = {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  upvotes: number | null;
  comments: number | null;
  publishedAt: Date | null;
  featuredOn: string | null;
  links: PaperLinks;
  summary: string | null;
  thumbnail: string | null;
  keywords: string[];
  categories: string[];
  organization: string | null;
  source: string;
  sources: string[];
  sourceRank: number | null;
  firstSeenAt: Date;
  vector: Record<string, number> | null;
  updatedAt: Date;
};

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

/** One source's last fetch, as the console and /metrics show it. */
export interface SourceRun {
  source: string;
  lastRunAt: Date;
  lastOkAt: Date | null;
  seen: number;
  added: number;
  updated: number;
  error: string | null;
}
