import { Readable } from 'node:stream';
import type { Frequency } from '../domain/edition.js';
import type { Subscriber } from '../domain/reader.js';
import { previewDigest } from '../digest/preview.js';
import { parseSubscriberCsv, subscribersToCsv, type CsvProblem } from '../domain/subscriber-csv.js';
import { startEdition } from '../jobs/start-edition.js';
import type { AppDeps } from './deps.js';

/** The largest CSV an import takes (about 50,000 rows). */
export const IMPORT_BODY_LIMIT = 10 * 1024 * 1024;

/** Every reader matching a search, as CSV, read a page at a time so that a big list streams. */
export function subscribersCsv(deps: Pick<AppDeps, 'repos'>, opts: { search?: string; status?: Subscriber['status'] }): Readable {
  return Readable.from(
    (async function* () {
      let after = 0;
      for (let first = true; ; first = false) {
        const page = await deps.repos.subscribers.search({ ...opts, after, limit: 1000 });
        if (!page.length && !first) return;
        yield subscribersToCsv(page, first);
        if (page.length < 1000) return;
        after = page.at(-1)!.id;
      }
    })(),
  );
}

/** What the console and the API show of a reader. */
export function readerView(s: Subscriber) {
  const { emailHash: _hash, ...rest } = s;
  return rest;
}

export type ImportMode = 'double-opt-in' | 'consented';

export interface ImportReport {
  mode: ImportMode;
  /** Rows that became active readers (consented mode). */
  imported: number;
  /** Rows that were sent a confirmation mail (double opt-in). */
  invited: number;
  /** Rows left alone: already subscribed, suppressed, or mailed a confirmation a moment ago. */
  skipped: { line: number; email: string; reason: string }[];
  /** Rows that could not be read, by line. */
  problems: CsvProblem[];
}

const queuedOrNot = (p: Promise<void>) =>
  p.then(
    () => true,
    () => false,
  );

/**
 * What an operator can do, in one place: the console's forms and the JSON admin API both call these, so the
 * two never drift apart.
 */
export function adminOperations(deps: AppDeps) {
  const { repos, producer } = deps;
  return {
    /** Starts (or tops up) the current edition of a frequency: every confirmed reader who has not had it gets it. */
    sendNow: (frequency: Frequency, force: boolean) => startEdition({ ...deps, now: () => new Date() }, frequency, force),

    /** Resumes a paused edition; its build is queued (recovery queues it should the queue be down). */
    async resume(id: number) {
      const outcome = await repos.editions.resume(id);
      if (outcome !== 'resumed') return { outcome, queued: false };
      return { outcome, queued: await queuedOrNot(producer.buildEdition(id, `resume${Date.now()}`)) };
    },

    /** Pauses an edition by hand: nothing more is claimed until an operator resumes it (the breaker does not). */
    async pause(id: number): Promise<'paused' | 'not sending' | 'unknown'> {
      if (!(await repos.editions.byId(id))) return 'unknown';
      return (await repos.editions.pause(id, 'paused by an operator', { kind: 'operator' })) ? 'paused' : 'not sending';
    },

    /**
     * An edition's ledger: what became of every reader it targets, and `missing`, the readers it targets who
     * have no row yet (while it is not sent: it is never called sent while one is missing).
     */
    async ledger(id: number) {
      const [ledger, edition] = await Promise.all([repos.editions.ledger(id), repos.editions.byId(id)]);
      if (!ledger || !edition) return null;
      // A sent edition was checked when it was called sent: a reader who is a target only since (a lifted
      // suppression) is not missing from it.
      const missing = ['assigning', 'sending', 'paused'].includes(edition.status) ? await repos.readers.targets(edition, 0, 20, deps.config.digest.catchUpHours * 3600) : [];
      return { ...ledger, missing: missing.length, missingIds: missing.map((m) => m.id), balanced: ledger.open === 0 && missing.length === 0 };
    },

    /** Queues an edition's failed rows again for readers who may be mailed now; returns how many. */
    async resendFailed(id: number) {
      const edition = await repos.editions.byId(id);
      if (!edition) return { outcome: 'unknown' as const, requeued: 0, queued: false };
      const requeued = await repos.deliveries.resendFailed(id);
      const queued = requeued ? await queuedOrNot(producer.buildEdition(id, `resend${Date.now()}`)) : false;
      return { outcome: 'done' as const, requeued, queued };
    },

    preview: (frequency: Frequency, email?: string) => previewDigest(deps, { frequency, email }),

    ingestNow: () => queuedOrNot(producer.ingestNow(String(Date.now()))),

    /**
     * Imports readers from CSV. Double opt-in sends each a confirmation mail, as the signup form does;
     * `consented` makes them active at once and records the operator's statement of where they consented.
     */
    async importCsv(text: string, mode: ImportMode, statement: string): Promise<ImportReport | { error: string }> {
      if (mode === 'consented' && statement.trim().length < 5)
        return { error: 'Say where these readers gave their consent (for example "signed up at our stand, 2026-10-01"): it is recorded with each one.' };
      const parsed = parseSubscriberCsv(text);
      if ('error' in parsed) return parsed;
      const report: ImportReport = { mode, imported: 0, invited: 0, skipped: [], problems: parsed.problems };
      for (const { line, input } of parsed.rows) {
        const reader = { ...input, timezone: input.timezone ?? deps.config.digest.tz, timezoneChosen: input.timezone !== undefined };
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
  };
}

export type AdminOperations = ReturnType<typeof adminOperations>;
