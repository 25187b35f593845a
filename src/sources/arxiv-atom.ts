import { arxivId, arxivLinks, collapse, SourceError, type ParseResult } from './paper.js';
import { childText, children, NS, parseXml } from './xml.js';

const SOURCE = 'arxiv';

/**
 * The arXiv API's Atom feed (`export.arxiv.org/api/query`). Elements are matched by namespace;
 * titles and abstracts are collapsed; the id loses its version. An error comes back as one entry titled "Error".
 */
export function parseArxivAtom(text: string): ParseResult {
  const doc = parseXml(text, SOURCE);
  const feed = doc.documentElement!;
  if (feed.localName !== 'feed' || feed.namespaceURI !== NS.atom) throw new SourceError(SOURCE, `expected an Atom <feed>, found <${feed.tagName}>`);
  const entries = children(feed, NS.atom, 'entry');
  if (entries.length === 1 && collapse(childText(entries[0]!, NS.atom, 'title')) === 'Error')
    throw new SourceError(SOURCE, `the API answered with an error: ${collapse(childText(entries[0]!, NS.atom, 'summary'))}`);
  const result: ParseResult = { papers: [], skipped: [] };
  entries.forEach((entry, i) => {
    const rawId = collapse(childText(entry, NS.atom, 'id'));
    const id = arxivId(rawId);
    const title = collapse(childText(entry, NS.atom, 'title'));
    if (!id) return void result.skipped.push({ ref: rawId || `entry ${i + 1}`, reason: 'no arXiv id' });
    if (!title) return void result.skipped.push({ ref: id, reason: 'no title' });
    const links = children(entry, NS.atom, 'link');
    const pdf = links.find((l) => l.getAttribute('title') === 'pdf')?.getAttribute('href');
    const primary = children(entry, NS.arxiv, 'primary_category')[0]?.getAttribute('term');
    const categories = children(entry, NS.atom, 'category').map((c) => c.getAttribute('term') ?? '').filter(Boolean);
    const doi = collapse(childText(entry, NS.arxiv, 'doi'));
    result.papers.push({
      id,
      title,
      abstract: collapse(childText(entry, NS.atom, 'summary')),
      authors: children(entry, NS.atom, 'author').map((a) => collapse(childText(a, NS.atom, 'name'))).filter(Boolean),
      publishedAt: collapse(childText(entry, NS.atom, 'published')) || null,
      links: { ...arxivLinks(id), ...(pdf ? { pdf: pdf.replace(/v\d+$/, '') } : {}), ...(doi ? { doi: `https://doi.org/${doi}` } : {}) },
      categories: primary ? [primary, ...categories.filter((c) => c !== primary)] : categories,
      source: SOURCE,
      sourceRank: i + 1,
    });
  });
  return result;
}
