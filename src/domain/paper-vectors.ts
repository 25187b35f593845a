// wink-nlp's English model loads with this module (about 50 MB): import it only where vectors are made
// (src/sources/vectorize-thread.ts, a worker thread), never into the sending worker.
import model from 'wink-eng-lite-web-model';
import winkNLP, { type ItemToken, type ItsFunction, type WinkMethods } from 'wink-nlp';
import BM25Vectorizer from 'wink-nlp/utilities/bm25-vectorizer.js';
import { trim, type TermVector } from './term-vectors.js';

export type { TermVector };

/** What a paper's vector is made of. */
export interface VectorText {
  id: string;
  title: string;
  abstract: string;
  keywords?: string[] | null;
}

// wink-nlp's English model: tokenizer, stop words and Porter stemmer, instantiated with this module (in the
// vectorizing thread).
const nlp: WinkMethods = winkNLP(model, ['sbd', 'pos']);

/** Stemmed content words: wink-nlp's tokens of type word, minus its stop words, stemmed. */
export function terms(text: string): string[] {
  const its = nlp.its;
  return nlp
    .readDoc(text)
    .tokens()
    .filter((t: ItemToken) => t.out(its.type) === 'word' && !t.out(its.stopWordFlag) && t.out().length > 1)
    .out(its.stem as unknown as ItsFunction<string[]>) as string[];
}

// The title counts twice: it says what the paper is about in fewest words.
const paperText = (p: VectorText) => [p.title, p.title, p.abstract, ...(p.keywords ?? [])].join('\n');

/**
 * BM25 vectors of papers (wink-nlp's BM25 vectorizer), each over the corpus given: pass the recent papers
 * together, so that a word every paper uses ("model") weighs little and a rare one ("diffusion") much.
 */
export function vectorize(papers: VectorText[]): Map<string, TermVector> {
  const bm25 = BM25Vectorizer({ k: 1, k1: 1.2, b: 0.75, norm: 'l2' });
  for (const p of papers) bm25.learn(terms(paperText(p)));
  const its = nlp.its;
  const out = new Map<string, TermVector>();
  papers.forEach((p, i) => out.set(p.id, trim(bm25.doc(i).out(its.bow) as Record<string, number>)));
  return out;
}
