import { type Frequency, POOL_SIZE } from '../domain/edition.js';
import type { Config } from '../config.js';
import type { Repos } from '../db/repos.js';
import { localDay } from '../domain/period.js';
import { createRanker, type PapersSeen, type Profile } from '../domain/ranking.js';
import { siteHost } from '../domain/links.js';
import { renderDigest } from '../digest/render-digest.js';
import type { Templates } from '../digest/templates.js';

export type PreviewOutcome =
  | { ok: true; html: string; subject: string; papers: number; pool: number }
  | { ok: false; error: string };

/**
 * The digest the next edition would bring (to one reader when `email` is given: their topics, their size,
 * never a paper they already had, their local date), rendered without sending or storing anything.
 */
export async function previewDigest(
  deps: { repos: Pick<Repos, 'papers' | 'readers' | 'subscribers' | 'feedback'>; config: Config; templates: Templates },
  opts: { frequency: Frequency; email?: string; now?: Date },
): Promise<PreviewOutcome> {
  const { repos, config } = deps;
  const { buildProfile, personalList, topicAnchor } = createRanker();
  const now = opts.now ?? new Date();
  const pool = await repos.papers.selectPool({ days: config.digest.window[opts.frequency], now }, POOL_SIZE);
  let topics: string[] = [];
  let size = config.digest.size;
  let received: PapersSeen = new Set<string>();
  let zone = config.digest.tz;
  let profile: Profile | null = null;
  if (opts.email) {
    const reader = await repos.subscribers.byEmail(opts.email);
    if (!reader) return { ok: false, error: `No subscriber ${opts.email}.` };
    topics = reader.topics;
    size = reader.maxPapers ?? size;
    zone = reader.timezone;
    received = (await repos.readers.received([reader.id], pool.map((p) => p.id))).get(reader.id) ?? new Set();
    const choices = (await repos.feedback.choices([reader.id], new Map())).get(reader.id) ?? [];
    profile = buildProfile(topicAnchor(topics, pool), choices, config.digest.ranking, now);
  }
  const list = personalList(pool, topics, received, size, profile, config.digest.ranking);
  const rendered = await renderDigest(list.map((r) => ({ ...r.paper, because: r.because })), {
    frequency: opts.frequency,
    day: localDay(now, zone),
    siteHost: siteHost(config.publicUrl),
    web: { signupUrl: `${config.publicUrl}/` },
    brand: config.brand,
    topics,
    templates: deps.templates,
  });
  return { ok: true, html: rendered.html, subject: rendered.subject, papers: list.length, pool: pool.length };
}
