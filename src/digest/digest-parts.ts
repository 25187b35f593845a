import { VIEW } from '../domain/marks.js';
import type { DigestParts, KindParts } from '../domain/digest.js';
import { digestView, type DigestContext, type DigestPaper } from './render-digest.js';

export type { DigestParts };
import { BLOCK_END, BLOCK_START, BUILT_IN_TEMPLATES, type Templates } from './templates.js';

const startRe = new RegExp(`(?:<mj-raw>)?${BLOCK_START}(?:</mj-raw>)?`);
const endRe = new RegExp(`(?:<mj-raw>)?${BLOCK_END}(?:</mj-raw>)?`);

/** Cuts a rendered digest into its head, one entry per paper, and its tail. */
function cut(out: string, ids: string[], what: string): { head: string; blocks: string[]; tail: string } {
  if (!ids.length) return { head: out, blocks: [], tail: '' };
  const [head, ...rest] = out.split(startRe);
  const blocks: string[] = [];
  let tail = '';
  for (const [i, piece] of rest.entries()) {
    const [block, after, ...more] = piece.split(endRe);
    if (after === undefined || more.length) throw new Error(`${what}: an entry of the papers section is not closed`);
    blocks.push(block!);
    if (i === rest.length - 1) tail = after;
    else if (after.trim()) throw new Error(`${what}: something stands between two entries of the papers section`);
  }
  if (blocks.length !== ids.length) throw new Error(`${what}: ${ids.length} papers gave ${blocks.length} entries; keep each paper in the {{#papers}} section`);
  return { head: head!, blocks, tail };
}

/** Plain-text parts join with one blank line between entries, however the template spaces them. */
const tidyText = (p: { head: string; blocks: string[]; tail: string }) => ({
  head: `${p.head.trimEnd()}\n`,
  blocks: p.blocks.map((b) => `\n${b.trim()}\n`),
  tail: p.tail.trim() ? `\n${p.tail.trim()}\n` : '',
});

/** Renders an edition's pool into parts: one render with the optional lines marked, one without them. */
export async function renderDigestParts(pool: DigestPaper[], ctx: Omit<DigestContext, 'day' | 'topics' | 'web'>): Promise<DigestParts> {
  const base = digestView(pool, { ...ctx, day: '2000-01-01' });
  const marked = (optional: boolean) => ({
    ...base,
    subject: VIEW.subject,
    preview: VIEW.preview,
    dateLabel: VIEW.dateLabel,
    intro: VIEW.intro,
    topicLine: optional ? VIEW.topicLine : null,
    papers: base.papers.map((p) => ({ ...p, rank: VIEW.rank, because: optional ? VIEW.because : null })),
  });
  const ids = pool.map((p) => p.id);
  const [withLines, without] = [marked(true), marked(false)];
  const { renderMjml, renderText } = ctx.templates ?? BUILT_IN_TEMPLATES;
  const [htmlA, htmlB] = await Promise.all([renderMjml('digest', withLines, { blocks: true }), renderMjml('digest', without, { blocks: true })]);
  const [a, b] = [cut(htmlA, ids, 'digest.mjml'), cut(htmlB, ids, 'digest.mjml')];
  const [ta, tb] = [tidyText(cut(renderText('digest', withLines, { blocks: true }), ids, 'digest.txt')), tidyText(cut(renderText('digest', without, { blocks: true }), ids, 'digest.txt'))];
  const kind = (x: typeof a, y: typeof b): KindParts => ({
    head: { plain: y.head, topics: x.head },
    blocks: Object.fromEntries(ids.map((id, i) => [id, { plain: y.blocks[i]!, because: x.blocks[i]! }])),
    tail: y.tail,
  });
  return {
    html: kind(a, b),
    text: kind(ta, tb),
    papers: Object.fromEntries(pool.map((p) => [p.id, { title: p.title, upvotes: p.upvotes, source: p.source ?? null }])),
  };
}

/**
 * Checks that the digest templates (an operator's override among them) can be rendered in parts: each
 * paper's entry inside the one `{{#papers}}` section. Throws a message naming the file otherwise.
 */
export async function checkDigestParts(templates: Templates): Promise<void> {
  const sample = (id: string): DigestPaper => ({ id, title: `Sample ${id}`, abstract: 'A sample abstract.', authors: ['A. Author'], upvotes: 1, summary: null, links: { arxiv: `https://arxiv.org/abs/${id}` } });
  try {
    await renderDigestParts([sample('0000.00001'), sample('0000.00002')], { frequency: 'daily', siteHost: 'example.org', templates });
  } catch (err) {
    throw new Error(`TEMPLATES_DIR: the digest cannot be rendered in parts: ${(err as Error).message}`);
  }
}
