import type { Edition } from '../db/editions-repo.js';
import type { Paper } from '../db/papers-repo.js';
import type { Assignment, Audience, Target } from '../db/readers-repo.js';
import { localDay } from '../domain/period.js';
import { readerList } from '../domain/topics.js';
import { renderDigest } from '../digest/render-digest.js';
import { listId, senderDomain, siteHost } from '../mail/addresses.js';
import { buildMimeTemplate } from '../mail/mime-template.js';
import type { Deps } from './deps.js';

/** How many ranked papers an edition offers; each reader's digest is cut from these. */
export const POOL_SIZE = 50;
const PAGE = 1000;

/**
 * Builds an edition (once per period): fixes its candidate pool, then gives each reader of the
 * audience their own list, rendering each distinct list once, and queues the sends.
 */
export async function buildEdition(deps: Deps, editionId: number, audience: Audience = { kind: 'all' }, opts: { lazy?: boolean } = {}): Promise<void> {
  const { repos, config, log } = deps;
  let edition = await repos.editions.byId(editionId);
  if (!edition) return;
  // Lazy: the pool is fixed as late as possible, when the first reader is due, so it holds the freshest papers.
  if (edition.status === 'pending' && opts.lazy && !(await repos.readers.targets(edition.id, edition.frequency, audience, 0, 1)).length) return;
  if (edition.status === 'pending') {
    const days = config.digest.window[edition.frequency];
    const pool = await repos.papers.selectPool({ days, now: deps.now() }, POOL_SIZE);
    if (!pool.length && !config.digest.sendEmpty) {
      const note = `no new papers first seen or featured in the last ${days} days`;
      await repos.editions.markEmpty(edition.id, note);
      log.warn({ editionId }, `edition not sent: ${note}`);
      return;
    }
    await repos.editions.publishPool(edition.id, pool.map((p) => p.id));
    edition = (await repos.editions.byId(editionId))!;
  }
  if (edition.status === 'empty') return;
  // Sending starts with the first page of readers; rows a crash left unqueued are the recover job's.
  const assigned = await assignReaders(deps, edition, audience);
  await repos.editions.finishIfDone(edition.id);
  if (assigned.readers) log.info({ editionId, ...assigned }, 'readers assigned');
}

/** Gives every reader of the audience their list, a page of readers at a time; returns the counts. */
async function assignReaders(deps: Deps, edition: Edition, audience: Audience) {
  const { repos, config } = deps;
  const pool = await repos.papers.byIds(edition.paperIds);
  const poolIds = pool.map((p) => p.id);
  const renders = await repos.editions.renderKeys(edition.id);
  const counts = { readers: 0, queued: 0, skipped: 0, renders: renders.size };
  let after = 0;
  for (;;) {
    const page = await repos.readers.targets(edition.id, edition.frequency, audience, after, PAGE);
    if (!page.length) break;
    after = page.at(-1)!.id;
    const received = await repos.readers.received(page.map((r) => r.id), poolIds);
    const rows: Assignment[] = [];
    for (const reader of page) {
      const list = readerList(pool, reader.topics, received.get(reader.id) ?? new Set(), reader.maxPapers ?? config.digest.size);
      if (!list.length && !config.digest.sendEmpty) {
        rows.push({ subscriberId: reader.id, renderId: null, paperIds: [], status: 'skipped', reason: whyEmpty(reader) });
        continue;
      }
      const key = list.map((p) => p.id).join(',');
      let renderId = renders.get(key);
      if (renderId === undefined) {
        renderId = await renderList(deps, edition, list, key);
        renders.set(key, renderId);
      }
      rows.push({ subscriberId: reader.id, renderId, paperIds: list.map((p) => p.id), status: 'queued', reason: null });
    }
    const queued = await repos.readers.assign(edition.id, rows);
    if (queued.length) {
      await repos.editions.reopen(edition.id);
      const ranges: [number, number][] = [];
      for (let i = 0; i < queued.length; i += config.send.batchSize) {
        const chunk = queued.slice(i, i + config.send.batchSize);
        ranges.push([chunk[0]!, chunk.at(-1)!]);
      }
      await deps.producer.sendRanges(edition.id, ranges);
    }
    counts.readers += rows.length;
    counts.queued += rows.filter((r) => r.status === 'queued').length;
    counts.skipped += rows.filter((r) => r.status === 'skipped').length;
  }
  counts.renders = renders.size;
  return counts;
}

const whyEmpty = (r: Target) =>
  r.topics.length ? `skipped: no new paper matches the topics ${r.topics.join(', ')}` : 'skipped: every candidate paper was already sent to this reader';

/** Renders one paper list (the only MJML render per list) and stores its composed message. */
async function renderList(deps: Deps, edition: Edition, list: Paper[], key: string): Promise<number> {
  const { config } = deps;
  const rendered = await renderDigest(list, {
    frequency: edition.frequency,
    day: localDay(edition.createdAt, config.digest.tz),
    siteHost: siteHost(config.publicUrl),
    webUrl: `${config.publicUrl}/archive/${edition.id}`,
  });
  const template = await buildMimeTemplate({
    from: config.mailFrom,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: { 'List-Id': listId(edition.frequency, senderDomain(config.mailFrom)) },
    listUnsubscribe: true,
  });
  return deps.repos.editions.addRender(edition.id, { listKey: key, paperIds: list.map((p) => p.id), subject: rendered.subject, mimeTemplate: template.source });
}
