import type { MarkedPaper } from '../../domain/reader.js';
import { safeUrl } from '../../domain/safe-content.js';
import type { Tokens } from '../../domain/tokens.js';
import { feedbackUrl } from '../../domain/links.js';
import { html, type Html } from './layout.js';

/** What a choice says, on its button and after it. */
export const CHOICE_WORDS = {
  more: { ask: 'More like this', will: 'Your next digests will rank papers like this one higher, and it goes on your reading list.', done: 'You will see more papers like this one.' },
  less: { ask: 'Less like this', will: 'Your next digests will rank papers like this one lower.', done: 'Papers like this one will rank lower in your digests.' },
} as const;

const paperLink = (p: MarkedPaper['paper']): Html => {
  const href = safeUrl(p.links.hf) ?? safeUrl(p.links.arxiv) ?? safeUrl(p.links.pdf);
  return href ? html`<a href="${href}">${p.title}</a>` : html`${p.title}`;
};

const authors = (list: string[]) => (list.length > 3 ? `${list.slice(0, 3).join(', ')} et al.` : list.join(', '));

/** A form posting one choice (or undo) on a paper's feedback link. */
export const choiceForm = (action: string, choice: 'more' | 'less' | 'undo', label: string, secondary = false): Html =>
  html`<form method="post" action="${action}" class="inline"><input type="hidden" name="choice" value="${choice}"><button type="submit"${secondary ? html` class="secondary"` : ''}>${label}</button></form>`;

/** The reader's marked papers, each with its undo: the preference center's "More like this" and "Hidden" lists. */
export function markedList(items: { item: MarkedPaper; action: string }[], empty: string): Html {
  if (!items.length) return html`<p class="muted">${empty}</p>`;
  return html`<ul class="papers">${items.map(
    ({ item, action }) => html`<li>${paperLink(item.paper)}<br><span class="muted">${authors(item.paper.authors)}</span> ${choiceForm(action, 'undo', 'Undo', true)}</li>`,
  )}</ul>`;
}

/** The reading list: what the reader liked, newest first, with links and the exports. */
export function readingListBody(items: MarkedPaper[], base: string): Html {
  return html`<div class="card">
  <h1>Your reading list</h1>
  <p class="muted">Papers you marked "More like this" in your digests, newest first.</p>
  ${
    items.length
      ? html`<p>Export for Zotero, Mendeley or LaTeX: <a href="${base}/bibtex" download>BibTeX</a> · <a href="${base}/ris" download>RIS</a></p>
  <ol class="papers">${items.map(
    ({ paper, at }) =>
      html`<li>${paperLink(paper)}<br><span class="muted">${authors(paper.authors)}${paper.authors.length ? ' · ' : ''}liked ${at.toISOString().slice(0, 10)}</span></li>`,
  )}</ol>`
      : html`<p>Nothing here yet. Press "More like this" under a paper in your digest, and it is kept here.</p>`
  }
</div>`;
}

/** Where a reader's choice on one paper is posted (the preference center's undo forms): the feedback link's path. */
export const feedbackAction = (deps: { tokens: Tokens; config: { publicUrl: string } }, subscriberId: number, paperId: string) =>
  new URL(feedbackUrl(deps.config.publicUrl, deps.tokens, subscriberId, paperId)).pathname;
