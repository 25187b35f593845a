import { SLOT } from '../domain/marks.js';
import { readerLinks, siteHost } from '../domain/links.js';
import { DelayedError, type Job } from 'bullmq';
import type { Frequency } from '../domain/edition.js';
import type { Templates } from '../digest/templates.js';
import { feedbackId, listId, mailDate, newMessageId, senderDomain } from '../mail/addresses.js';
import { envelopeAddress, redactOutcome } from '../mail/mailer.js';
import { buildMimeTemplate, type MimeTemplate } from '../mail/compose/mime-template.js';
import { brandView } from '../digest/render-digest.js';
import { describeSchedule } from '../domain/preferences.js';
import { signupScope } from '../domain/tokens.js';
import type { ResolvedConfig } from '../config.js';
import type { Tokens } from '../domain/tokens.js';
import type { Mailer } from '../mail/mailer.js';
import type { Logger } from './logger.js';
import type { EditionStore, ReaderRecords, SuppressionWriter } from './stores.js';
import type { AlertJob, TransactionalJob } from './queues.js';

const TRANSPORT_RETRY_MS = 60_000;
const TRANSPORT_PATIENCE_MS = 24 * 3600_000;


const SUBJECTS: Record<Kind, (name: string) => string> = {
  confirm: (name) => `Confirm your ${name} subscription`,
  welcome: (name) => `Welcome to ${name}`,
  'data-link': (name) => `Your link to download or erase your ${name} data`,
};
const PREVIEWS: Record<Kind, string> = {
  confirm: 'One click to start receiving trending papers.',
  welcome: 'What comes when, and how to make it yours.',
  'data-link': 'The link works for one hour.',
};
/** Which readers each kind is for: a data link also reaches someone who unsubscribed (their data is still here). */
const FOR: Record<Kind, readonly string[]> = { confirm: ['pending'], welcome: ['active'], 'data-link': ['pending', 'active', 'unsubscribed'] };

/** The mails a reader is owed (an operator's alert is send-alert.ts's). */
type ReaderJob = Exclude<TransactionalJob, AlertJob>;
type Kind = ReaderJob['kind'];

/** What the mails a reader is owed read and write: the reader, the newest edition, a suppression for a dead mailbox. */
export interface TransactionalPort {
  readers: Pick<ReaderRecords, 'byId'>;
  editions: Pick<EditionStore, 'latestSent'>;
  suppressions: SuppressionWriter;
  /** The service-wide ceiling on confirmation mails per hour: 0, or the milliseconds to wait for the next slot. */
  confirmations: { wait(): Promise<number> };
  mailer: Pick<Mailer, 'sendRaw'>;
  tokens: Tokens;
  templates: Templates;
  config: Pick<ResolvedConfig, 'brand' | 'publicUrl' | 'mailFrom'>;
  log: Logger;
  now: () => Date;
}

/** Creates the transactional processor (confirmation, welcome); each variant is rendered once per process. */
export function createSendTransactional(deps: TransactionalPort) {
  const { config, mailer, tokens, log } = deps;
  const templates = new Map<string, Promise<MimeTemplate>>();
  const site = siteHost(config.publicUrl);

  const render = async (kind: Kind, frequency: Frequency, latestUrl: string | null, schedule: string): Promise<MimeTemplate> => {
    const subject = SUBJECTS[kind](config.brand.name);
    const view = {
      ...brandView(config.brand),
      subject,
      preview: PREVIEWS[kind],
      frequencyLabel: frequency,
      siteHost: site,
      confirmUrl: SLOT.actionUrl,
      preferencesUrl: SLOT.preferencesUrl,
      unsubscribeUrl: SLOT.unsubscribeUrl,
      latestUrl,
      schedule: `It arrives ${schedule}; choose another hour, day or time zone, your topics and how many papers in your preferences.`,
    };
    const domain = senderDomain(config.mailFrom);
    // The welcome mail belongs to the reader's list (List-Id, unsubscribe); a confirmation or a data link is
    // not list mail: it goes to one person who asked for it.
    const welcome = kind === 'welcome';
    return buildMimeTemplate({
      from: config.mailFrom,
      subject,
      html: await deps.templates.renderMjml(kind, view),
      text: deps.templates.renderText(kind, view),
      listUnsubscribe: welcome,
      headers: welcome ? { 'List-Id': listId(frequency, domain, config.brand), 'Feedback-ID': feedbackId(frequency, 'welcome', domain, config.brand.slug) } : {},
    });
  };
  // A few hundred variants at most (frequency, hour, day, zone): each is composed once per process.
  const templateFor = (kind: Kind, frequency: Frequency, latestUrl: string | null, schedule: string) => {
    const key = `${kind}|${frequency}|${latestUrl}|${kind === 'welcome' ? schedule : ''}`;
    let t = templates.get(key);
    if (!t) {
      t = render(kind, frequency, latestUrl, schedule);
      templates.set(key, t);
    }
    return t;
  };

  /** A confirmation link for the reader's current signup, and for no other (see signupScope). */
  const confirmToken = (s: { id: number; consentAt: Date | null }) => tokens.sign(s.id, 'confirm', undefined, signupScope(s.consentAt));

  /** Moves the job back to the queue until `ms` from now, when it runs from one; true when it did. */
  const later = async (queued: { job: Job<TransactionalJob>; token?: string } | undefined, ms: number) => {
    if (!queued?.token) return false;
    await queued.job.moveToDelayed(Date.now() + ms, queued.token);
    return true;
  };

  return async function sendTransactional(job: ReaderJob, queued?: { job: Job<TransactionalJob>; token?: string }): Promise<string> {
    const subscriber = await deps.readers.byId(job.subscriberId);
    const wanted = FOR[job.kind];
    if (!subscriber || !wanted.includes(subscriber.status)) return `skipped: not ${wanted.join(' or ')}`;
    if (job.kind === 'confirm') {
      // The service-wide ceiling: past it, confirmations wait in the queue for the next free slot.
      const wait = await deps.confirmations.wait();
      if (wait > 0) {
        log.info({ subscriberId: subscriber.id, waitMs: wait }, 'confirmation mail waits: CONFIRM_MAILS_PER_HOUR reached');
        if (await later(queued, wait)) throw new DelayedError();
        throw new Error('confirmation mail not sent: CONFIRM_MAILS_PER_HOUR reached');
      }
    }
    const frequency: Frequency = subscriber.frequency === 'weekly' ? 'weekly' : 'daily';
    const latest = job.kind === 'welcome' ? await deps.editions.latestSent(frequency) : null;
    const template = await templateFor(job.kind, frequency, latest ? `${config.publicUrl}/archive/${latest}` : null, describeSchedule(subscriber));
    const raw = template.fill({
      to: subscriber.email,
      messageId: newMessageId([job.kind, subscriber.id], senderDomain(config.mailFrom)),
      date: mailDate(deps.now()),
      actionUrl: job.kind === 'data-link' ? `${config.publicUrl}/data/${tokens.sign(subscriber.id, 'data')}` : `${config.publicUrl}/confirm/${confirmToken(subscriber)}`,
      ...readerLinks(config.publicUrl, tokens, subscriber.id),
    });
    const answer = await mailer.sendRaw({ from: envelopeAddress(config.mailFrom), to: subscriber.email }, raw);
    if (answer.ok) return 'sent';
    const outcome = redactOutcome(answer, subscriber.email);
    switch (outcome.class) {
      case 'dead':
        await deps.suppressions.suppress(subscriber.email, 'bounce', outcome.response);
        log.warn({ subscriberId: subscriber.id, response: outcome.response }, `${job.kind} mail rejected: the mailbox does not exist; address suppressed`);
        return 'rejected';
      case 'refused':
        log.warn({ subscriberId: subscriber.id, response: outcome.response }, `${job.kind} mail refused for this reader; not retried`);
        return 'refused';
      case 'transport':
        // Our side failed (login, TLS, DNS, relay down): wait and try again without spending the reader's
        // attempts, for up to a day, so a configuration mistake delays confirmations rather than losing them.
        if (queued && Date.now() - queued.job.timestamp < TRANSPORT_PATIENCE_MS && (await later(queued, TRANSPORT_RETRY_MS))) {
          log.warn({ subscriberId: subscriber.id, response: outcome.response }, `${job.kind} mail not sent: transport failure; trying again in a minute`);
          throw new DelayedError();
        }
        throw new Error(`${job.kind} mail not sent (transport failure): ${outcome.response}`);
      case 'temporary':
        // BullMQ retries the job with exponential backoff.
        throw new Error(`${job.kind} mail not accepted yet: ${outcome.response}`);
    }
  };
}
