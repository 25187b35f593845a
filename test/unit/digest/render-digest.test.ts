import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authorLine, digestView, excerpt, renderDigest, type DigestPaper } from '../../../src/digest/render-digest.js';
import { SLOT } from '../../../src/domain/marks.js';

const seed = JSON.parse(readFileSync(new URL('../../../seeds/papers.json', import.meta.url), 'utf8')) as { papers: DigestPaper[] };
const papers: DigestPaper[] = seed.papers.slice(0, 10).map((p) => ({ ...p, upvotes: 0, summary: null }));
const ctx = { frequency: 'daily' as const, day: '2026-11-29', siteHost: 'papermail.test' };

describe('digest rendering', () => {
  it('claims a ranking by upvotes only when there are upvotes', () => {
    expect(digestView(papers, ctx).intro).toBe('10 papers from the seed page, in its order: fresh papers and their upvotes arrive with the next fetch.');
    expect(digestView(papers.map((p) => ({ ...p, source: 'arxiv' })), ctx).intro).toBe('10 papers, as their source lists them (no upvotes yet).');
    expect(digestView(papers.map((p, i) => ({ ...p, upvotes: 50 - i })), ctx).intro).toBe("10 trending papers, ranked by the research community's upvotes.");
  });

  it('marks seed papers as from the seed page, with no upvote and no date claimed', () => {
    const view = digestView(papers, ctx);
    expect(view.papers.every((p) => p.meta.includes('from the seed page'))).toBe(true);
    expect(view.papers.some((p) => /▲/.test(p.meta))).toBe(false);
  });

  it('states the topics of a filtered digest, with a way to change them, in HTML and text', async () => {
    const r = await renderDigest(papers.slice(0, 2), { ...ctx, topics: ['diffusion', 'cs.CL'] });
    expect(r.html).toContain('Filtered to your topics: diffusion, cs.CL.');
    expect(r.text).toContain(`Filtered to your topics: diffusion, cs.CL. Change them: ${SLOT.preferencesUrl}`);
    expect((await renderDigest(papers.slice(0, 2), ctx)).text).not.toContain('Filtered to your topics');
  });

  it('shows the web version the default reader\'s papers, the rest of the pool below, and the way back', async () => {
    const r = await renderDigest(papers.slice(0, 3), { ...ctx, web: { signupUrl: 'https://papermail.test/', archiveUrl: 'https://papermail.test/archive', more: papers.slice(3) } });
    expect(r.html).toContain('More papers from this edition');
    expect(r.html).toContain('href="https://papermail.test/archive"');
    for (const p of papers.slice(3)) expect(r.html).toContain(p.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
  });

  it('renders ten seed papers into HTML and text, in order, with the unsubscribe slot', async () => {
    const r = await renderDigest(papers, ctx);
    expect(r.subject).toMatch(/^Trending papers, 29 Nov 2026: Less is More/);
    let at = -1;
    for (const p of papers) {
      const i = r.text.indexOf(p.title);
      expect(i).toBeGreaterThan(at);
      at = i;
      expect(r.html).toContain(p.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
    }
    expect(r.html).toContain(`href="${SLOT.unsubscribeUrl}"`);
    expect(r.text).toContain(SLOT.unsubscribeUrl);
    // Gmail clips messages over 102 KB; the text part travels alongside.
    expect(Buffer.byteLength(r.html) + Buffer.byteLength(r.text)).toBeLessThan(90 * 1024);
    expect(r.html).toMatch(/<meta name="viewport"/);
  });

  it('escapes HTML from paper fields', async () => {
    const evil = { ...papers[0]!, title: '<script>alert(1)</script> & "quotes"', abstract: '<img src=x onerror=alert(1)>' };
    const r = await renderDigest([evil], ctx);
    expect(r.html).not.toContain('<script>alert(1)');
    expect(r.html).not.toContain('<img src=x');
    // Escaped, and typeset: straight quotes become curly ones.
    expect(r.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; \u201cquotes\u201d');
    expect(r.text).toContain('<script>alert(1)</script> & \u201cquotes\u201d');
  });

  it('shows upvotes, three authors then et al., and the links a reader needs', () => {
    const v = digestView(
      [{ ...papers[0]!, upvotes: 42, authors: ['A', 'B', 'C', 'D'], links: { hf: 'https://huggingface.co/papers/2401.1', arxiv: 'https://arxiv.org/abs/2401.1', pdf: 'https://arxiv.org/pdf/2401.1', github: 'https://github.com/x/y', githubStars: 7 } }],
      ctx,
    );
    expect(v.papers[0]!.meta).toBe('▲ 42 · A, B, C et al.');
    expect(v.papers[0]!.url).toBe('https://huggingface.co/papers/2401.1');
    expect(v.papers[0]!.links.map((l) => l.label)).toEqual(['Paper page', 'arXiv', 'PDF', 'Code ★7']);
    expect(authorLine(['A', 'B'])).toBe('A, B');
  });

  it('cuts excerpts on a word boundary', () => {
    const long = 'alpha beta gamma delta '.repeat(40);
    const e = excerpt(long, 100);
    expect(e.length).toBeLessThanOrEqual(101);
    expect(e.endsWith('…')).toBe(true);
    expect(long.startsWith(e.slice(0, -1))).toBe(true);
    expect(e.slice(0, -1)).toMatch(/(alpha|beta|gamma|delta)$/);
    expect(excerpt('short one')).toBe('short one');
  });
});

describe('a digest of ten fully linked papers', () => {
  it('stays far under Gmail clipping and shows every link, in HTML and text', async () => {
    const full: DigestPaper[] = Array.from({ length: 10 }, (_, i) => ({
      id: `2605.0${8000 + i}`,
      title: `A Rather Long Title About Scaling Laws for Mixture-of-Experts Models in Long-Context Reasoning, Part ${i + 1}`,
      abstract: 'word '.repeat(400),
      authors: ['Mira Okafor', 'Jonas Lindqvist', 'Priya Raman', 'Tomás Ferreira', 'Another Person'],
      upvotes: 300 - i,
      comments: 12,
      organization: 'Example Lab',
      summary: null,
      links: {
        hf: `https://huggingface.co/papers/2605.0${8000 + i}`,
        arxiv: `https://arxiv.org/abs/2605.0${8000 + i}`,
        pdf: `https://arxiv.org/pdf/2605.0${8000 + i}`,
        github: 'https://github.com/example-lab/a-repository-name',
        githubStars: 1234,
        project: 'https://example-lab.github.io/project',
      },
    }));
    const r = await renderDigest(full, ctx);
    expect(Buffer.byteLength(r.html) + Buffer.byteLength(r.text)).toBeLessThan(80 * 1024);
    for (const label of ['Paper page', 'arXiv', 'PDF', 'Code ★1234', 'Project page']) {
      expect(r.html.split(`>${label}</a>`).length - 1).toBe(10);
      expect(r.text.split(`${label}: `).length - 1).toBe(10);
    }
    expect(r.text).toContain('▲ 300 · 12 comments · Mira Okafor, Jonas Lindqvist, Priya Raman et al. · Example Lab');
  });
});
