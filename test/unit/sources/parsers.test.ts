import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArxivAtom } from '../../../src/sources/arxiv-atom.js';
import { parseArxivRss } from '../../../src/sources/arxiv-rss.js';
import { parseHfDaily } from '../../../src/sources/hf-daily.js';
import { arxivId, SourceError } from '../../../src/sources/paper.js';
import { parsePaperJson } from '../../../src/sources/paper-json.js';
import { parseSeed } from '../../../src/sources/seed-page.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

describe('Hugging Face Daily Papers', () => {
  const r = parseHfDaily(fixture('hf-daily-papers.json'));

  it('normalizes a full item: upvotes under paper, comments and thumbnail at the top, featured day', () => {
    expect(r.papers[0]).toEqual({
      id: '2605.08077',
      title: 'Sparse Mixture-of-Experts Distillation for Long-Context Reasoning',
      abstract: 'We distill a sparse mixture-of-experts teacher into a dense student for long-context reasoning. The student matches the teacher on six benchmarks while using a fifth of the compute.',
      authors: ['Mira Okafor', 'Jonas Lindqvist', 'Priya Raman', 'Tomás Ferreira'],
      upvotes: 142,
      comments: 7,
      publishedAt: '2026-05-11T17:59:58.000Z',
      featuredOn: '2026-05-12',
      links: {
        hf: 'https://huggingface.co/papers/2605.08077',
        arxiv: 'https://arxiv.org/abs/2605.08077',
        pdf: 'https://arxiv.org/pdf/2605.08077',
        github: 'https://github.com/example-lab/moe-distill',
        githubStars: 873,
        project: 'https://example-lab.github.io/moe-distill',
      },
      summary: 'A dense student distilled from a sparse MoE teacher keeps long-context reasoning at a fifth of the compute.',
      thumbnail: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2605.08077.png',
      keywords: ['mixture of experts', 'distillation', 'long context'],
      organization: 'Example Lab',
      source: 'hf',
      sourceRank: 1,
    });
  });

  it('keeps items that lack only optional keys, and skips withdrawn or id-less ones with a reason', () => {
    expect(r.papers[1]).toMatchObject({ id: '2605.07311', upvotes: 58, comments: 0, summary: null, organization: null, links: { hf: 'https://huggingface.co/papers/2605.07311' } });
    expect(r.papers[1]!.links.github).toBeUndefined();
    expect(r.papers[1]!.featuredOn).toBe('2026-05-12');
    expect(r.skipped).toEqual([
      { ref: '2605.06000', reason: 'withdrawn' },
      { ref: 'item 4', reason: 'no paper id' },
    ]);
  });

  it('names the source and position of broken JSON, and rejects the wrong shape', () => {
    expect(() => parseHfDaily('[{"paper": {"id": "1"},')).toThrow(SourceError);
    expect(() => parseHfDaily('[{"paper": {"id": "1"},')).toThrow(/^hf: not valid JSON/);
    expect(() => parseHfDaily('[1,\n  2] x')).toThrow(/line 2, column 6/);
    expect(() => parseHfDaily('{"papers": []}')).toThrow(/hf: expected a JSON array/);
    expect(parseHfDaily('[]')).toEqual({ papers: [], skipped: [] });
  });
});

describe('arXiv API (Atom)', () => {
  it('reads entries by namespace, collapses whitespace and strips versions', () => {
    const r = parseArxivAtom(fixture('arxiv-query.atom'));
    expect(r.papers.map((p) => p.id)).toEqual(['2605.08077', '2605.08100']);
    expect(r.papers[0]).toMatchObject({
      title: 'Sparse Mixture-of-Experts Distillation for Long-Context Reasoning',
      abstract: expect.stringMatching(/^We distill .* and we release the code\.$/),
      authors: ['Mira Okafor', 'Jonas Lindqvist', 'Priya Raman', 'Tomás Ferreira'],
      publishedAt: '2026-05-11T17:59:58Z',
      categories: ['cs.LG', 'cs.CL'],
      links: { arxiv: 'https://arxiv.org/abs/2605.08077', pdf: 'https://arxiv.org/pdf/2605.08077', hf: 'https://huggingface.co/papers/2605.08077' },
    });
    expect(r.papers[0]!.upvotes).toBeUndefined();
    expect(r.papers[1]!.links).toMatchObject({ doi: 'https://doi.org/10.1234/rss.2026.42' });
    expect(r.skipped).toEqual([{ ref: '2605.08111', reason: 'no title' }]);
  });

  it('matches by namespace, not by prefix', () => {
    const swapped = fixture('arxiv-query.atom')
      .replace('xmlns="http://www.w3.org/2005/Atom"', 'xmlns:a="http://www.w3.org/2005/Atom"')
      .replace(/<(\/?)(feed|entry|id|title|updated|link|summary|category|published|author|name)\b/g, '<$1a:$2')
      .replace(/xmlns:arxiv=/, 'xmlns:ax=')
      .replace(/<(\/?)arxiv:/g, '<$1ax:');
    const r = parseArxivAtom(swapped);
    expect(r.papers.map((p) => [p.id, p.categories![0]])).toEqual([['2605.08077', 'cs.LG'], ['2605.08100', 'cs.RO']]);
    // An element with the right local name in another namespace does not count.
    expect(parseArxivAtom('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:x"><x:entry><x:id>http://arxiv.org/abs/2605.1v1</x:id></x:entry></feed>').papers).toEqual([]);
  });

  it('turns the API error entry and bad XML into errors naming the source', () => {
    expect(() => parseArxivAtom(fixture('arxiv-error.atom'))).toThrow(/^arxiv: the API answered with an error: incorrect id format/);
    expect(() => parseArxivAtom('<feed xmlns="http://www.w3.org/2005/Atom">\n  <entry><title>x</titl></entry></feed>')).toThrow(/^arxiv: not well-formed XML: .*\(line 2, column \d+\)$/);
    expect(() => parseArxivAtom('<rss version="2.0"/>')).toThrow(/expected an Atom <feed>/);
    expect(() => parseArxivAtom('')).toThrow(SourceError);
  });
});

describe('arXiv category feeds (RSS)', () => {
  it('reads the id and abstract from the description, all authors from dc:creator, and skips replacements', () => {
    const r = parseArxivRss(fixture('arxiv-rss.xml'));
    expect(r.papers.map((p) => p.id)).toEqual(['2605.08077', '2605.08200']);
    expect(r.papers[0]).toMatchObject({
      abstract: 'We distill a sparse mixture-of-experts teacher into a dense student for long-context reasoning.',
      authors: ['Mira Okafor', 'Jonas Lindqvist', 'Priya Raman', 'Tomás Ferreira'],
      categories: ['cs.LG', 'cs.CL'],
      publishedAt: '2026-05-12T04:00:00.000Z',
    });
    expect(r.papers[1]).toMatchObject({ title: 'Tokenizer-Free Language Models & Their Limits', abstract: 'We study byte-level language models and their limits.', authors: ['Sam Park'] });
    expect(r.skipped).toEqual([{ ref: '2401.00001', reason: 'announce type "replace" is not a new paper' }]);
  });

  it('reads an empty weekend feed as no papers', () => {
    expect(parseArxivRss(fixture('arxiv-rss-empty.xml'))).toEqual({ papers: [], skipped: [] });
  });

  it('reads the Atom flavour of the category feed too', () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <entry><id>oai:arXiv.org:2605.09999v1</id><title>Atom  item</title><link href="https://arxiv.org/abs/2605.09999"/>
      <summary>arXiv:2605.09999v1 Announce Type: new
Abstract: Short.</summary><category term="cs.LG"/><published>2026-05-12T04:00:00Z</published>
      <arxiv:announce_type>new</arxiv:announce_type><dc:creator>A. One, B. Two and C. Three</dc:creator></entry></feed>`;
    expect(parseArxivRss(atom).papers[0]).toMatchObject({ id: '2605.09999', title: 'Atom item', abstract: 'Short.', authors: ['A. One', 'B. Two', 'C. Three'] });
  });
});

describe('seed page and plain JSON', () => {
  it('parses the 71 seed papers', () => {
    const r = parseSeed(readFileSync(new URL('../../fixtures/hf-daily-page.txt', import.meta.url), 'utf8'));
    expect(r.papers).toHaveLength(71);
    expect(r.papers[0]!.title).toBe('Less is More: Focus Attention for Efficient DETR');
  });

  it('takes papers in the project shape, skipping invalid items with the reason', () => {
    const r = parsePaperJson(
      JSON.stringify([
        { id: 'arXiv:2605.08077v3', title: 'Mine', authors: ['Me'], upvotes: 3 },
        { id: 'custom-1', title: 'No arXiv id', links: { project: 'https://example.org' } },
        { title: 'No id' },
        { id: 'x', title: 'Bad link', links: { hf: 'javascript:alert(1)' } },
      ]),
    );
    expect(r.papers.map((p) => p.id)).toEqual(['2605.08077', 'custom-1']);
    expect(r.papers[0]!.links.arxiv).toBe('https://arxiv.org/abs/2605.08077');
    expect(r.skipped.map((s) => s.ref)).toEqual(['item 3', 'x']);
    expect(r.skipped[0]!.reason).toMatch(/^id:/);
  });

  it('recognizes arXiv ids in their usual spellings', () => {
    expect(arxivId('http://arxiv.org/abs/2605.08077v1')).toBe('2605.08077');
    expect(arxivId('oai:arXiv.org:2605.08077v12')).toBe('2605.08077');
    expect(arxivId('https://arxiv.org/pdf/2605.08077v2.pdf')).toBe('2605.08077');
    expect(arxivId('hep-th/9901001v2')).toBe('hep-th/9901001');
    expect(arxivId('not an id')).toBeNull();
  });
});
