import type { Element } from '@xmldom/xmldom';
import { arxivId, arxivLinks, collapse, SourceError, type ParseResult } from './paper.js';
import { childText, children, NS, parseXml } from './xml.js';

const SOURCE = 'arxiv-rss';
// Announcements of revised old papers are not news for a trending digest.
const KEPT = new Set(['new', 'cross']);

interface Item {
  title: string;
  link: string;
  description: string;
  guid: string;
  categories: string[];
  date: string;
  announce: string;
  creators: string[];
}

function rssItems(channel: Element): Item[] {
  return children(channel, null, 'item').map((it) => ({
    title: childText(it, null, 'title'),
    link: childText(it, null, 'link'),
    description: childText(it, null, 'description'),
    guid: childText(it, null, 'guid'),
    categories: children(it, null, 'category').map((c) => collapse(c.textContent)),
    date: childText(it, null, 'pubDate'),
    announce: collapse(childText(it, NS.arxiv, 'announce_type')),
    creators: children(it, NS.dc, 'creator').map((c) => collapse(c.textContent)),
  }));
}

function atomItems(feed: Element): Item[] {
  return children(feed, NS.atom, 'entry').map((e) => ({
    title: childText(e, NS.atom, 'title'),
    link: children(e, NS.atom, 'link')[0]?.getAttribute('href') ?? '',
    description: childText(e, NS.atom, 'summary'),
    guid: childText(e, NS.atom, 'id'),
    categories: children(e, NS.atom, 'category').map((c) => c.getAttribute('term') ?? ''),
    date: childText(e, NS.atom, 'published') || childText(e, NS.atom, 'updated'),
    announce: collapse(childText(e, NS.arxiv, 'announce_type')),
    creators: [...children(e, NS.dc, 'creator'), ...children(e, NS.atom, 'author').flatMap((a) => children(a, NS.atom, 'name'))].map((c) => collapse(c.textContent)),
  }));
}

/** Authors from dc:creator: one element with all names, comma-separated (", and" too), or one per author. */
function splitCreators(creators: string[]): string[] {
  return creators.flatMap((c) => c.split(/,\s*(?:and\s+)?|\s+and\s+/)).map((s) => s.trim()).filter(Boolean);
}

/**
 * arXiv's category feeds (`rss.arxiv.org/rss/cs.LG+cs.CL` and `/atom/...`). The description reads
 * "arXiv:ID Announce Type: new \nAbstract: ...". Feeds are empty on weekends.
 */
export function parseArxivRss(text: string): ParseResult {
  const doc = parseXml(text, SOURCE);
  const root = doc.documentElement!;
  let items: Item[];
  if (root.localName === 'rss') {
    const channel = children(root, null, 'channel')[0];
    if (!channel) throw new SourceError(SOURCE, 'RSS without a <channel>');
    items = rssItems(channel);
  } else if (root.localName === 'feed' && root.namespaceURI === NS.atom) {
    items = atomItems(root);
  } else {
    throw new SourceError(SOURCE, `expected RSS 2.0 or an Atom feed, found <${root.tagName}>`);
  }
  const result: ParseResult = { papers: [], skipped: [] };
  items.forEach((it, i) => {
    const desc = it.description.trim();
    const id = arxivId(/^arXiv:(\S+)/.exec(desc)?.[1] ?? '') ?? arxivId(it.link) ?? arxivId(it.guid);
    const title = collapse(it.title);
    const announce = (it.announce || /Announce Type:\s*(\S+)/.exec(desc)?.[1] || 'new').toLowerCase();
    if (!id) return void result.skipped.push({ ref: it.link || `item ${i + 1}`, reason: 'no arXiv id' });
    if (!title) return void result.skipped.push({ ref: id, reason: 'no title' });
    if (!KEPT.has(announce)) return void result.skipped.push({ ref: id, reason: `announce type "${announce}" is not a new paper` });
    const abstract = /Abstract:\s*([\s\S]*)$/.exec(desc)?.[1] ?? desc;
    const date = Date.parse(it.date);
    result.papers.push({
      id,
      title,
      abstract: collapse(abstract),
      authors: splitCreators(it.creators),
      publishedAt: Number.isNaN(date) ? null : new Date(date).toISOString(),
      links: arxivLinks(id),
      categories: it.categories.filter(Boolean),
      source: SOURCE,
      sourceRank: i + 1,
    });
  });
  return result;
}
