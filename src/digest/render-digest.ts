import type { Frequency } from '../domain/edition.js';
import { DEFAULT_BRAND, type Brand } from '../domain/brand.js';
import { SLOT, VIEW } from '../domain/marks.js';
import { BUILT_IN_TEMPLATES, type Templates } from './templates.js';
import { safeUrl } from '../domain/safe-content.js';
import { typeset } from './typography.js';
import type { DigestWords, ListPaper } from '../domain/digest.js';

/** What the digest shows of one paper. */
export interface DigestPaper {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  upvotes: number | null;
  comments?: number | null;
  organization?: string | null;
  summary: string | null;
  keywords?: string[] | null;
  categories?: string[] | null;
  links: { hf?: string; arxiv?: string; pdf?: string; github?: string; githubStars?: number; project?: string };
  /** Where the paper was first found; the seed page's papers carry no upvotes and no date of their own. */
  source?: string | null;
  /** The title of the liked paper that lifted this one in the reader's ranking. */
  because?: string | null;
}

/** The source name of the papers bundled from the seed page (seeds/papers.json). */
const SEED_SOURCE = 'hf-daily-page';

export interface DigestContext {
  frequency: Frequency;
  /** The day the edition is for, as YYYY-MM-DD. */
  day: string;
  siteHost: string;
  /** The edition's web version (its archive page). */
  webUrl?: string;
  /** The web version itself: no reader, so no personal links; the rest of the edition's pool, and the way back. */
  web?: { signupUrl: string; archiveUrl?: string; more?: DigestPaper[] };
  /** The newsletter's name and look; papermail's when left out. */
  brand?: Brand;
  /** The reader's topics, when their list is filtered by them: the digest says so. */
  topics?: string[];
  /** The templates to render with (an operator's TEMPLATES_DIR); papermail's own when left out. */
  templates?: Templates;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

/** Cuts text to about `max` characters on a word boundary. */
export function excerpt(text: string, max = 420): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max + 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : clean.slice(0, max)).replace(/[\s,;:.-]+$/, '')}…`;
}

/** Lists at most three authors, then "et al.". */
export function authorLine(authors: string[]): string {
  return authors.length > 3 ? `${authors.slice(0, 3).join(', ')} et al.` : authors.join(', ');
}

function linksOf(p: DigestPaper): { label: string; href: string }[] {
  // The content policy again at render: a row stored before it, or by hand, still gets no unsafe href.
  const l = { hf: safeUrl(p.links.hf), arxiv: safeUrl(p.links.arxiv), pdf: safeUrl(p.links.pdf), github: safeUrl(p.links.github), project: safeUrl(p.links.project) };
  const out: { label: string; href: string }[] = [];
  if (l.hf) out.push({ label: 'Paper page', href: l.hf });
  if (l.arxiv) out.push({ label: l.arxiv.includes('/search/') ? 'Find on arXiv' : 'arXiv', href: l.arxiv });
  if (l.pdf) out.push({ label: 'PDF', href: l.pdf });
  if (l.github) out.push({ label: p.links.githubStars ? `Code ★${p.links.githubStars}` : 'Code', href: l.github });
  if (l.project) out.push({ label: 'Project page', href: l.project });
  return out;
}

/** What every template reads of the brand: the name, the accent colour, the logo and the footer lines. */
export const brandView = (b: Brand) => ({ newsletter: b.name, accent: b.accent, logoUrl: b.logoUrl, footerText: b.footer, postalAddress: b.postalAddress });

const DATE_LABEL = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateLabel = (day: string) => DATE_LABEL.format(new Date(`${day}T12:00:00Z`));

/** The digest's first line: what the papers are, and by what they are ranked, without claiming upvotes nobody gave. */
function introOf(papers: ListPaper[], frequency: Frequency): string {
  if (!papers.length) return 'No new trending papers since your last digest. See you next time.';
  const n = `${papers.length} ${papers.length === 1 ? 'paper' : 'papers'}`;
  const week = frequency === 'weekly' ? ' of the week' : '';
  if (papers.some((p) => p.upvotes)) return `${papers.length} trending ${papers.length === 1 ? 'paper' : 'papers'}${week}, ranked by the research community's upvotes.`;
  if (papers.every((p) => p.source === SEED_SOURCE)) return `${n} from the seed page, in its order: fresh papers and their upvotes arrive with the next fetch.`;
  return `${n}${week}, as their source lists them (no upvotes yet).`;
}


/** The words of a digest that depend on its list and the reader's day: subject, preview line, intro, date. */
function listWords(papers: ListPaper[], frequency: Frequency, day: string) {
  const label = dateLabel(day);
  const subject = papers.length ? `Trending papers, ${label}: ${typeset(papers[0]!.title)}` : `Trending papers, ${label}: nothing new`;
  return {
    subject: subject.length > 140 ? `${subject.slice(0, 137)}…` : subject,
    preview: papers.slice(1, 3).map((p) => p.title).join(' · '),
    dateLabel: label,
    intro: introOf(papers, frequency),
  };
}

/** The line that says a list is filtered by the reader's topics. */
const topicLineOf = (topics: string[] | undefined) => (topics?.length ? `Filtered to your topics: ${topics.join(', ')}.` : null);

/** The "Because you liked" title as a digest shows it: typeset, cut short. */
const becauseLine = (title: string) => typeset(excerpt(title, 90));

/** Builds the view both the MJML and the text template read. Pure. */
export function digestView(papers: DigestPaper[], ctx: DigestContext) {
  const frequencyLabel = ctx.frequency;
  return {
    ...listWords(papers, ctx.frequency, ctx.day),
    frequencyLabel,
    siteHost: ctx.siteHost,
    ...brandView(ctx.brand ?? DEFAULT_BRAND),
    topicLine: topicLineOf(ctx.topics),
    unsubscribeUrl: SLOT.unsubscribeUrl,
    preferencesUrl: SLOT.preferencesUrl,
    webUrl: ctx.web ? null : (ctx.webUrl ?? null),
    personal: !ctx.web,
    signupUrl: ctx.web?.signupUrl ?? null,
    archiveUrl: ctx.web?.archiveUrl ?? null,
    hasMore: Boolean(ctx.web?.more?.length),
    more: (ctx.web?.more ?? []).map((p) => ({ title: typeset(p.title), url: linksOf(p)[0]?.href ?? '#', meta: authorLine(p.authors) })),
    papers: papers.map((p, i) => {
      const links = linksOf(p);
      // The reader's feedback links: a mark filled per reader, in each entry, with a token for its paper.
      const feedback = ctx.web ? null : { more: `${VIEW.feedback}?choice=more`, less: `${VIEW.feedback}?choice=less` };
      const counts = [p.upvotes ? `▲ ${p.upvotes}` : '', p.comments ? `${p.comments} ${p.comments === 1 ? 'comment' : 'comments'}` : ''];
      const seed = p.source === SEED_SOURCE && !p.upvotes ? 'from the seed page' : '';
      const meta = [...counts, seed, authorLine(p.authors), p.organization ?? ''].filter(Boolean).join(' · ');
      return {
        rank: i + 1,
        title: typeset(p.title),
        url: links[0]?.href ?? '#',
        meta,
        excerpt: typeset(excerpt(p.summary || p.abstract)),
        because: p.because ? becauseLine(p.because) : null,
        links: links.map((x, j) => ({ ...x, last: j === links.length - 1 })),
        feedback,
      };
    }),
  };
}

/** Renders one paper list once; the reader's unsubscribe and preferences URLs stay slots. */
export async function renderDigest(papers: DigestPaper[], ctx: DigestContext): Promise<RenderedMessage> {
  const view = digestView(papers, ctx);
  const templates = ctx.templates ?? BUILT_IN_TEMPLATES;
  const [html, text] = await Promise.all([templates.renderMjml('digest', view), Promise.resolve(templates.renderText('digest', view))]);
  return { subject: view.subject, html, text };
}

/** The words of a reader's copy, for the mail composer to fill in (src/mail/compose/digest-message.ts). */
export const digestWords: DigestWords = { list: listWords, because: becauseLine, topicLine: topicLineOf };
