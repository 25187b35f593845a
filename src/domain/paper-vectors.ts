import model from 'wink-eng-lite-web-model';
import winkNLP, { type ItemToken, type ItsFunction, type WinkMethods } from 'wink-nlp';
import BM25Vectorizer from 'wink-nlp/utilities/bm25-vectorizer.js';

/** A sparse text vector: stemmed term -> weight, L2-normalized. */
export type TermVector = Record<string, number>;

/** What a paper's vector is made of. */
export interface VectorText {
  id: string;
  title: string;
  abstract: string;
  keywords?: string[] | null;
}

/** Terms kept per paper (the heaviest): enough to compare papers, small enough to store with each. */
const TERMS_PER_PAPER = 64;

let nlp: WinkMethods | null = null;
// wink-nlp's English model: tokenizer, stop words and Porter stemmer (loaded once, ~0.2 s, on first use).
const winkOf = () => (nlp ??= winkNLP(model, ['sbd', 'pos']));

/** Stemmed content words: wink-nlp's tokens of type word, minus its stop words, stemmed. */
export function terms(text: string): string[] {
  const w = winkOf();
  const its = w.its;
  return w
    .readDoc(text)
    .tokens()
    .filter((t: ItemToken) => t.out(its.type) === 'word' && !t.out(its.stopWordFlag) && t.out().length > 1)
    .out(its.stem as unknown as ItsFunction<string[]>) as string[];
}

// The title counts twice: it says what the paper is about in fewest words.
const paperText = (p: VectorText) => [p.title, p.title, p.abstract, ...(p.keywords ?? [])].join('\n');

/** Keeps the heaviest terms and scales the vector back to unit length. */
function trim(bow: Record<string, number>): TermVector {
  const top = Object.entries(bow)
    .filter(([, w]) => w > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TERMS_PER_PAPER);
  const norm = Math.sqrt(top.reduce((s, [, w]) => s + w * w, 0)) || 1;
  return Object.fromEntries(top.map(([t, w]) => [t, Math.round((w / norm) * 1e4) / 1e4]));
}

/**
 * BM25 vectors of papers (wink-nlp's BM25 vectorizer), each over the corpus given: pass the recent papers
 * together, so that a word every paper uses ("model") weighs little and a rare one ("diffusion") much.
 */
export function vectorize(papers: VectorText[]): Map<string, TermVector> {
  const bm25 = BM25Vectorizer({ k: 1, k1: 1.2, b: 0.75, norm: 'l2' });
  for (const p of papers) bm25.learn(terms(paperText(p)));
  const its = winkOf().its;
  const out = new Map<string, TermVector>();
  papers.forEach((p, i) => out.set(p.id, trim(bm25.doc(i).out(its.bow) as Record<string, number>)));
  return out;
}

/** The cosine of two sparse vectors. */
export function cosine(a: TermVector, b: TermVector): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, w] of Object.entries(a)) {
    na += w * w;
    const o = b[t];
    if (o !== undefined) dot += w * o;
  }
  for (const w of Object.values(b)) nb += w * w;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
