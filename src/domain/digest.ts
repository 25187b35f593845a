import type { Frequency } from './edition.js';

// A digest rendered once per edition, in parts, and the words each reader's copy is given: what the
// renderer (src/digest/) makes and the mail composer (src/mail/compose/) assembles.

/** What a list's words depend on, per paper. */
export interface ListPaper {
  title: string;
  upvotes: number | null;
  /** Where it was first found (the seed page's papers are told apart). */
  source?: string | null;
}

/** One kind (HTML or text) of a digest in parts: the head, each paper's entry, the tail. */
export interface KindParts {
  /** Without the topic line, and with it (`pmvtopicline` marks its words). */
  head: { plain: string; topics: string };
  /** Each paper's entry without the "Because you liked" line, and with it (`pmvbecause`). */
  blocks: Record<string, { plain: string; because: string }>;
  tail: string;
}

/**
 * An edition's digest in parts, rendered once (two MJML calls, whatever the number of readers): every
 * reader's message is assembled from these by substitution (src/mail/compose/digest-message.ts). The per-reader
 * words are marks (VIEW): subject, preview, date, intro, topic line, and per entry its place, its reason
 * and its feedback link.
 */
export interface DigestParts {
  html: KindParts;
  text: KindParts;
  /** What the per-reader words (subject, preview, intro) need of each paper. */
  papers: Record<string, ListPaper>;
}

/** The words of a digest that depend on the reader's list and day, and the lines about them, in plain text. */
export interface DigestWords {
  /** Subject, preview line, date label and intro of a list on a day. */
  list(papers: ListPaper[], frequency: Frequency, day: string): { subject: string; preview: string; dateLabel: string; intro: string };
  /** The "Because you liked" line of a liked paper's title. */
  because(title: string): string;
  /** The line that says a list is filtered by the reader's topics, or null. */
  topicLine(topics: string[] | undefined): string | null;
}
