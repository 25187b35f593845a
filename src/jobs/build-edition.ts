import { localDay } from '../domain/period.js';
import { renderDigest } from '../digest/render-digest.js';
import { listId, senderDomain, siteHost } from '../mail/addresses.js';
import { buildMimeTemplate } from '../mail/mime-template.js';
import type { Deps } from './deps.js';

/**
 * Builds an edition: picks its papers, renders the digest once, stores it with one queued delivery
 * per reader, then queues the send jobs in keyset batches. Safe to run again at any point.
 */
export async function buildEdition(deps: Deps, editionId: number): Promise<void> {
  const { repos, config, log } = deps;
  const edition = await repos.editions.byId(editionId);
  if (!edition) return;
  if (edition.status === 'pending') {
    const days = config.digest.window[edition.frequency];
    const papers = await repos.papers.selectForEdition(edition.id, edition.frequency, config.digest.size, { days, now: deps.now() });
    if (!papers.length && !config.digest.sendEmpty) {
      const note = `no new papers first seen or featured in the last ${days} days`;
      await repos.editions.markEmpty(edition.id, note);
      log.warn({ editionId }, `edition not sent: ${note}`);
      return;
    }
    const domain = senderDomain(config.mailFrom);
    const rendered = await renderDigest(papers, {
      frequency: edition.frequency,
      day: localDay(edition.createdAt, config.digest.tz),
      siteHost: siteHost(config.publicUrl),
    });
    const template = await buildMimeTemplate({
      from: config.mailFrom,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: { 'List-Id': listId(edition.frequency, domain) },
      listUnsubscribe: true,
    });
    const published = await repos.editions.publish(edition.id, {
      paperIds: papers.map((p) => p.id),
      subject: rendered.subject,
      mimeTemplate: template.source,
      renders: 1,
    });
    if (published) log.info({ editionId, papers: papers.length, bytes: template.source.length }, 'edition built');
  }
  let batches = 0;
  const ranges: [number, number][] = [];
  for await (const range of repos.deliveries.queuedRanges(edition.id, config.send.batchSize)) {
    ranges.push(range);
    if (ranges.length === 100) {
      await deps.producer.sendRanges(edition.id, ranges.splice(0));
      batches += 100;
    }
  }
  if (ranges.length) await deps.producer.sendRanges(edition.id, ranges);
  batches += ranges.length;
  if (!(await repos.editions.finishIfDone(edition.id))) log.info({ editionId, batches }, 'send jobs queued');
}
