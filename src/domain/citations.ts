import { Cite } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import '@citation-js/plugin-ris';
import { parse as parseName } from '@citation-js/name';
import { safeUrl } from './safe-content.js';

/** What a citation needs of a paper. */
export interface Citable {
  id: string;
  title: string;
  authors: string[];
  abstract?: string | null;
  links: { hf?: string; arxiv?: string; doi?: string };
  publishedAt?: Date | string | null;
  firstSeenAt: Date | string;
}

const ARXIV_ID = /^\d{4}\.\d{4,5}$/;
// One line of plain text: RIS is line-based, and a control character belongs in no reference manager.
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();

/** A CSL-JSON item (the format citation-js reads) for a paper: an arXiv preprint when it has an arXiv id. */
function csl(p: Citable) {
  const when = new Date(p.publishedAt ?? p.firstSeenAt);
  const arxiv = ARXIV_ID.test(p.id);
  const url = safeUrl(p.links.arxiv) ?? safeUrl(p.links.hf) ?? (arxiv ? `https://arxiv.org/abs/${p.id}` : undefined);
  const doi = p.links.doi ? oneLine(p.links.doi) : arxiv ? `10.48550/arXiv.${p.id}` : undefined;
  // The key: first author's family name, year, first title word (letters and digits only), and the id's digits.
  const family = p.authors[0] ? (parseName(oneLine(p.authors[0])).family ?? '') : '';
  const word = oneLine(p.title).split(' ').find((w) => /[a-z]{4,}/i.test(w)) ?? 'paper';
  const key = `${family}${when.getUTCFullYear()}${word}`.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '').toLowerCase() + (arxiv ? `_${p.id.replace('.', '')}` : '');
  return {
    id: p.id,
    'citation-key': key || `paper_${p.id.replace(/[^A-Za-z0-9]/g, '')}`,
    type: 'article',
    title: oneLine(p.title),
    author: p.authors.map((a) => oneLine(a)).filter(Boolean).map((a) => {
      const n = parseName(a);
      return n.family ? n : { literal: a };
    }),
    issued: { 'date-parts': [[when.getUTCFullYear(), when.getUTCMonth() + 1, when.getUTCDate()]] },
    ...(arxiv ? { 'container-title': 'arXiv preprint', publisher: 'arXiv', number: `arXiv:${p.id}` } : {}),
    ...(url ? { URL: url } : {}),
    ...(doi ? { DOI: doi } : {}),
    ...(p.abstract ? { abstract: oneLine(p.abstract) } : {}),
  };
}

/** Papers as BibTeX (citation-js: LaTeX special characters escaped), for Zotero, Mendeley and LaTeX. */
export function toBibtex(papers: Citable[]): string {
  return papers.length ? new Cite(papers.map(csl)).format('bibtex', { format: 'text' }) : '';
}

/** Papers as RIS (citation-js), for Zotero, Mendeley and EndNote. */
export function toRis(papers: Citable[]): string {
  return papers.length ? new Cite(papers.map(csl)).format('ris', { format: 'text' }) : '';
}
