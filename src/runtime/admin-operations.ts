import { Readable } from 'node:stream';
import type { ResolvedConfig } from '../config.js';
import type { Repos } from '../db/repos.js';
import type { Subscriber } from '../domain/reader.js';
import { parseSubscriberCsv, subscribersToCsv } from '../domain/subscriber-csv.js';
import type { AdminPort, ImportReport } from '../http/admin-port.js';
import type { Producer } from '../jobs/queues.js';
import type { Jobs } from './jobs.js';
import type { Templates } from '../digest/templates.js';
import { previewDigest } from './preview-digest.js';

const queuedOrNot = (p: Promise<void>) =>
  p.then(
    () => true,
    () => false,
  );

/**
 * The operator's port (http/admin-port.ts), bound to the repositories, the queue and the edition processors:
 * the console's forms and the JSON admin API both call these.
 */
export function adminOperations(deps: { config: ResolvedConfig; repos: Repos; producer: Producer; jobs: Pick<Jobs, 'start'>; now: () => Date; templates: Templates; mailOwed?: () => void }): AdminPort {
  const { repos, producer, config } = deps;

  /** Every reader matching a search, as CSV, read a page at a time so that a big list streams. */
  const csv = (opts: { search?: string; status?: Subscriber['status'] }) =>
    Readable.from(
      (async function* () {
        let after = 0;
        for (let first = true; ; first = false) {
          const page = await repos.subscribers.search({ ...opts, after, limit: 1000 });
          if (!page.length && !first) return;
          yield subscribersToCsv(page, first);
          if (page.length < 1000) return;
          after = page.at(-1)!.id;
        }
      })(),
    );

  return {
    sendNow: (frequency, force) => deps.jobs.start(frequency, force),

    async resume(id) {
      const outcome = await repos.pauses.resume(id);
      if (outcome !== 'resumed') return { outcome, queued: false };
      return { outcome, queued: await queuedOrNot(producer.buildEdition(id, `resume${Date.now()}`)) };
    },

    async pause(id) {
      if (!(await repos.editions.byId(id))) return 'unknown';
      return (await repos.pauses.pause(id, 'paused by an operator', { kind: 'operator' })) ? 'paused' : 'not sending';
    },

    async ledger(id) {
      const [ledger, edition] = await Promise.all([repos.reports.ledger(id), repos.editions.byId(id)]);
      if (!ledger || !edition) return null;
      // A sent edition was checked when it was called sent: a reader who is a target only since (a lifted
      // suppression) is not missing from it.
      const missing = ['assigning', 'sending', 'paused'].includes(edition.status) ? await repos.readers.targets(edition, 0, 20, config.digest.catchUpHours * 3600) : [];
      return { ...ledger, missing: missing.length, missingIds: missing.map((m) => m.id), balanced: ledger.open === 0 && missing.length === 0 };
    },

    async resendFailed(id) {
      const edition = await repos.editions.byId(id);
      if (!edition) return { outcome: 'unknown' as const, requeued: 0, queued: false };
      const requeued = await repos.deliveries.resendFailed(id);
      const queued = requeued ? await queuedOrNot(producer.buildEdition(id, `resend${Date.now()}`)) : false;
      return { outcome: 'done' as const, requeued, queued };
    },

    preview: (frequency, email) => previewDigest(deps, { frequency, email, now: deps.now() }),

    ingestNow: () => queuedOrNot(producer.ingestNow(String(Date.now()))),

    async importCsv(text, mode, statement) {
      if (mode === 'consented' && statement.trim().length < 5)
        return { error: 'Say where these readers gave their consent (for example "signed up at our stand, 2026-10-01"): it is recorded with each one.' };
      const parsed = parseSubscriberCsv(text);
      if ('error' in parsed) return parsed;
      const report: ImportReport = { mode, imported: 0, invited: 0, skipped: [], problems: parsed.problems };
      for (const { line, input } of parsed.rows) {
        const reader = { ...input, timezone: input.timezone ?? config.digest.tz, timezoneChosen: input.timezone !== undefined };
        if (mode === 'consented') {
          const outcome = await repos.subscribers.importConsented(reader, statement.trim().replace(/[\r\n]+/g, ' '));
          if (outcome === 'imported') report.imported++;
          else report.skipped.push({ line, email: input.email, reason: outcome === 'exists' ? 'already on the list' : 'suppressed' });
        } else {
          const outcome = await repos.subscribers.importPending(reader);
          if (outcome === 'invited') report.invited++;
          else report.skipped.push({ line, email: input.email, reason: 'already subscribed, suppressed, or sent a confirmation a moment ago' });
        }
      }
      // The confirmation mails are in the outbox (one transaction with each row): relay them now.
      if (report.invited) deps.mailOwed?.();
      return report;
    },

    editions: {
      list: (opts) => repos.reports.list(opts),
      stats: (id) => repos.reports.stats(id),
      paused: () => repos.pauses.paused(),
      failuresByAnswer: (id) => repos.deliveries.failuresByAnswer(id),
      engagement: (id) => repos.reports.engagement(id),
    },
    papers: {
      count: () => repos.papers.count(),
      list: (opts) => repos.papers.list(opts),
      byIds: (ids) => repos.papers.byIds(ids),
      sourceRuns: () => repos.sourceRuns.list(),
    },
    readers: {
      counts: () => repos.subscribers.counts(),
      search: (opts) => repos.subscribers.search(opts),
      byId: (id) => repos.subscribers.byId(id),
      deliveries: (id) => repos.subscribers.deliveries(id),
      csv,
    },
    suppressions: {
      list: (opts) => repos.suppressions.list(opts),
      lift: (email) => repos.suppressions.lift(email),
    },
  };
}
