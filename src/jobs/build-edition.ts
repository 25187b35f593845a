import { POOL_SIZE, type Shard, type Edition } from '../domain/edition.js';
import { randomUUID } from 'node:crypto';
import type { Paper } from '../domain/paper.js';
import { pagesByKeyset, type Assignment, type PapersHad, type Target } from '../domain/reader.js';
import type { CompiledVector, TermVector } from '../domain/term-vectors.js';
import { createRanker, type Choice } from '../domain/ranking.js';
import { refreshVectors } from '../sources/vectors.js';
import type { ResolvedConfig } from '../config.js';
import type { VectorStore } from '../sources/vectors.js';
import type { Templates } from '../digest/templates.js';
import type { Logger } from './logger.js';
import type { Producer } from './queues.js';
import { renderParts } from './render-edition.js';
import { startShards } from './build-shards.js';
import type { AudienceStore, ChoiceReader, EditionStore, OutstandingRows, PaperReader, RenderStore, ShardStore } from './stores.js';

/** What building an edition uses: no mailer, no fetcher (it renders, ranks, writes rows and queues sends). */
export interface BuildPort {
  editions: Pick<EditionStore, 'byId' | 'publishPool' | 'markEmpty' | 'markAssigned' | 'finishIfDone'>;
  shards: ShardStore;
  renders: RenderStore;
  readers: Pick<AudienceStore, 'targets' | 'shardStarts' | 'received' | 'assign'>;
  papers: PaperReader & VectorStore;
  feedback: ChoiceReader;
  deliveries: OutstandingRows;
  producer: Pick<Producer, 'sendLater' | 'sendRanges' | 'buildShards'>;
  config: Pick<ResolvedConfig, 'digest' | 'send' | 'publicUrl' | 'mailFrom' | 'brand'>;
  log: Logger;
  now: () => Date;
  templates: Templates;
}

const PAGE = 1000;
/** Topic anchors remembered per edition (the most recent sets of matched papers; the rest are computed again when met). */
const TOPIC_ANCHORS_KEPT = 2000;

/**
 * Builds an edition and assigns its readers; safe to run again from any crash, and concurrently. It fixes
 * the candidate pool once, then gives every target that has no row yet (the edition's stored audience)
 * its own list, rendering each distinct list once, and queues the sends page by page. Only when a query
 * finds no target left does the edition move on to sending.
 *
 * An operator's send to a large audience (more than twice ASSIGN_SHARD_READERS) is split into ranges of
 * reader ids (edition_shards), each assigned by a job of its own (`shard`), so that every worker assigns at
 * once. The job that finishes the last range then makes one pass over the whole edition, which assigns
 * anyone who became a target meanwhile, and moves the edition on.
 */
export async function buildEdition(deps: BuildPort, editionId: number, opts: { fixPool?: boolean; shard?: number } = {}): Promise<void> {
  const { config, log } = deps;
  let edition = await deps.editions.byId(editionId);
  if (!edition || edition.status === 'empty') return;
  if (opts.shard !== undefined) {
    if (edition.status === 'pending') return;
    const shard = (await deps.shards.shards(edition.id)).find((s) => s.firstId === opts.shard);
    if (!shard) return;
    if (!shard.done) {
      log.info({ editionId, shard: shard.firstId, lastId: shard.lastId }, 'assigning a shard');
      const assigned = await assignReaders(deps, edition, shard);
      if (assigned.readers) log.info({ editionId, shard: opts.shard, ...assigned }, 'readers assigned');
    }
    // Another range is still being assigned: whichever finishes last goes on.
    if (await deps.shards.shardDone(edition.id, shard.firstId)) return;
  } else if (edition.status === 'pending') {
    // Only an hourly tick targets it: fix the pool as late as possible, when the first reader is due.
    if (!opts.fixPool && !edition.audienceAt && !(await deps.readers.targets(edition, 0, 1, catchUpSeconds(deps))).length) return;
    const days = config.digest.window[edition.frequency];
    const pool = await deps.papers.selectPool({ days, now: deps.now() }, POOL_SIZE);
    if (!pool.length && !config.digest.sendEmpty) {
      const note = `no new papers first seen or featured in the last ${days} days`;
      await deps.editions.markEmpty(edition.id, note, deps.now());
      log.warn({ editionId }, `edition not sent: ${note}`);
      return;
    }
    await deps.editions.publishPool(edition.id, pool.map((p) => p.id), deps.now());
    edition = (await deps.editions.byId(editionId))!;
    if (edition.status === 'empty') return;
  }
  if (opts.shard === undefined && pagesByKeyset(edition) && (await startShards(deps, edition))) return;
  const assigned = await assignReaders(deps, edition);
  await deps.editions.markAssigned(edition.id);
  // Rows queued before a crash or a pause have no job of their own any more: one job covers them. Its id is
  // new for every build: a queue keeps finished jobs and ignores a job whose id it has, so an id made of the
  // second alone let a resume within the second of the first build queue nothing, and the edition waited for
  // recovery. A second job for the same rows only finds them claimed or done.
  const open = await deps.deliveries.outstanding(edition.id, config.send.leaseSeconds);
  if (open) await deps.producer.sendLater(edition.id, [open.from, open.to], open.dueInMs, `assigned${deps.now().getTime()}-${randomUUID().slice(0, 8)}`);
  await deps.editions.finishIfDone(edition.id);
  if (assigned.readers) log.info({ editionId, ...assigned }, 'readers assigned');
}

const catchUpSeconds = (deps: Pick<BuildPort, 'config'>) => deps.config.digest.catchUpHours * 3600;

/**
 * Gives every target without a row its list, a page of readers at a time; returns the counts. Pages overlap:
 * while one page is ranked, the next is read and the one before is written (its statement in flight). When
 * the pages are not a keyset (due readers only: each page is whoever is still due), the next page is read
 * only once the last one is written.
 */
async function assignReaders(deps: BuildPort, edition: Edition, range?: Pick<Shard, 'firstId' | 'lastId'>) {
  const { config } = deps;
  let pool = await deps.papers.byIds(edition.paperIds);
  const placesOf = (papers: Paper[]) => new Map(papers.map((p, i) => [p, i]));
  let places = placesOf(pool);
  const poolIds = pool.map((p) => p.id);
  // A reader's candidates from their topics and their history's bits over poolIds (readers-repo's received).
  // This build's ranker: its term space and topic matchers are the build's own.
  const { anchorOf, buildProfile, poolCandidates, rank, topicHits } = createRanker();
  let candidates = poolCandidates(pool, poolIds);
  const firstSeen = pool.length ? new Date(Math.min(...pool.map((p) => new Date(p.firstSeenAt).getTime()))) : undefined;
  const weights = config.digest.ranking;
  const now = deps.now();
  let liked = new Map<string, { title: string; vector: TermVector | null }>();
  // Topic anchors by the pool papers the topics match (their places in the pool): far fewer than topic sets.
  let topicVectors = new Map<string, CompiledVector | null>();
  // The edition's digest, rendered once in parts; every reader's message is assembled from them when it is sent.
  const renderId = await renderParts(deps, edition, pool);
  const counts = { readers: 0, queued: 0, skipped: 0 };
  const keyset = pagesByKeyset(edition);
  let vectorsRefreshed = 0;

  // A page of targets with what their lists need: papers they have had, and their choices.
  type Read = { page: Target[]; received: Map<number, PapersHad>; choices: Map<number, Choice[]>; refreshed: number };
  const read = async (after: number): Promise<Read> => {
    // The vectors this read starts from: a refresh meanwhile has its choices read again.
    const [refreshed, vectors] = [vectorsRefreshed, liked];
    const page = await deps.readers.targets(edition, after, PAGE, catchUpSeconds(deps), range?.lastId ?? null);
    const ids = page.map((r) => r.id);
    const [received, choices] = page.length
      ? await Promise.all([deps.readers.received(ids, poolIds, firstSeen), weights.profile ? deps.feedback.choices(ids, vectors) : new Map<number, Choice[]>()])
      : [new Map<number, PapersHad>(), new Map<number, Choice[]>()];
    return { page, received, choices, refreshed };
  };
  // Writes a page's rows and queues their sends.
  const write = async (rows: Assignment[]) => {
    const queued = await deps.readers.assign(edition.id, rows);
    if (queued.length) {
      const ranges: [number, number][] = [];
      for (let i = 0; i < queued.length; i += config.send.batchSize) {
        const chunk = queued.slice(i, i + config.send.batchSize);
        ranges.push([chunk[0]!, chunk.at(-1)!]);
      }
      await deps.producer.sendRanges(edition.id, ranges);
    }
    await deps.shards.beat(edition.id, range?.firstId);
    counts.readers += rows.length;
    counts.queued += rows.filter((r) => r.status === 'queued').length;
    counts.skipped += rows.filter((r) => r.status !== 'queued').length;
  };
  // Started ahead and awaited later: a failure is thrown where it is awaited, never left unhandled meanwhile.
  const ahead = <T>(p: Promise<T>) => (p.catch(() => {}), p);

  // A shard's keyset starts at its first id.
  const start = range ? range.firstId - 1 : 0;
  let next: Promise<Read> | null = ahead(read(start));
  let writing: Promise<void> | null = null;
  while (next) {
    const got: Read = await next;
    const { page, received, refreshed } = got;
    let { choices } = got;
    if (!page.length) break;
    next = keyset ? ahead(read(page.at(-1)!.id)) : null;
    const ids = page.map((r) => r.id);
    // Papers stored without an ingest (by hand, or before vectors existed) get theirs once a reader's ranking needs them.
    if (choices.size && pool.some((p) => !p.vector)) {
      await refreshVectors(deps.papers, deps.now(), { onlyMissing: true, since: firstSeen });
      pool = await deps.papers.byIds(edition.paperIds);
      places = placesOf(pool);
      candidates = poolCandidates(pool, poolIds);
      // A new cache, not a cleared one: a read already in flight fills the old one with the old vectors.
      liked = new Map();
      topicVectors = new Map();
      vectorsRefreshed++;
    }
    // Choices read before the vectors were refreshed are read again.
    if (refreshed !== vectorsRefreshed) choices = await deps.feedback.choices(ids, liked);
    const rows: Assignment[] = [];
    for (const reader of page) {
      const slot = { slot: reader.slot, dueAt: reader.dueAt, scheduled: reader.scheduled };
      // Already sent this day (or week) by an operator's send: no second row, the schedule moves on.
      if (reader.taken) {
        rows.push({ subscriberId: reader.id, renderId: null, paperIds: [], status: 'taken', reason: null, view: null, ...slot });
        continue;
      }
      const mine = choices.get(reader.id) ?? [];
      // The topics anchor a profile only when there is feedback to anchor.
      let topics: CompiledVector | null = null;
      if (mine.length && reader.topics.length) {
        const hits = topicHits(reader.topics, pool);
        const key = hits.map((p) => places.get(p)).join(',');
        if (!topicVectors.has(key)) {
          topicVectors.set(key, anchorOf(hits));
          // Bounded: a million readers' anchors of 64 terms each would outgrow the worker's heap if their
          // topics matched that many different sets of papers.
          if (topicVectors.size > TOPIC_ANCHORS_KEPT) topicVectors.delete(topicVectors.keys().next().value!);
        }
        topics = topicVectors.get(key)!;
      }
      const profile = buildProfile(topics, mine, weights, now);
      // personalList's list, its candidates from bits.
      const list = rank(candidates(reader.topics, received.get(reader.id) ?? null), profile, weights, reader.maxPapers ?? config.digest.size);
      if (!list.length && !config.digest.sendEmpty) {
        rows.push({ subscriberId: reader.id, renderId: null, paperIds: [], status: 'skipped', reason: whyEmpty(reader), view: null, ...slot });
        continue;
      }
      const because = list.filter((r) => r.because);
      const view = {
        day: reader.localDate,
        ...(reader.topics.length ? { topics: reader.topics } : {}),
        ...(because.length ? { because: Object.fromEntries(because.map((r) => [r.paper.id, r.because!])) } : {}),
      };
      const paperIds = list.map((r) => r.paper.id);
      rows.push({ subscriberId: reader.id, renderId, paperIds, status: 'queued', reason: null, view, ...slot });
    }
    // One write in flight at a time; without a keyset the next page is read after this one is written.
    await writing;
    writing = ahead(write(rows));
    if (!keyset) {
      await writing;
      writing = null;
      next = ahead(read(start));
    }
  }
  await writing;
  return counts;
}

const whyEmpty = (r: Target) =>
  r.topics.length ? `skipped: no new paper matches the topics ${r.topics.join(', ')}` : 'skipped: every candidate paper was already sent to this reader';
