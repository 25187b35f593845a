import { simpleParser, type Attachment } from 'mailparser';
import type { BounceEvent } from '../db/suppressions-repo.js';
import { addressOf } from './bounce-notices.js';
import { classifySmtpFailure } from './smtp-outcome.js';

/** What a report mail says about our recipients: bounces (RFC 3464) or a complaint (RFC 5965). */
export interface ReportReading {
  events: BounceEvent[];
  /** Why nothing was taken from it, when nothing was. */
  note?: string;
}

const text = (a: Attachment) => a.content.toString('utf8');
/** The header fields of one block of a report part (RFC 3464 and 5965 use header syntax), parsed by mailparser. */
async function fieldsOf(block: string): Promise<Map<string, string>> {
  const parsed = await simpleParser(`${block.trim()}\r\n\r\n`, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  const out = new Map<string, string>();
  for (const [k, v] of parsed.headers) out.set(k, typeof v === 'string' ? v : String((v as { text?: string })?.text ?? v));
  return out;
}
const typed = (v: string | undefined) => v?.replace(/^\s*[\w-]+\s*;\s*/, '').trim();

/**
 * Reads one report mail with mailparser. Delivery-status notifications (multipart/report;
 * report-type=delivery-status) give one event per failed recipient, classified by the same SMTP policy
 * as a live answer: a dead mailbox is a hard bounce; a temporary failure that the remote server gave up
 * on is a soft one; a refusal that is not about the mailbox (content, policy, our sender) is not the
 * reader's fault and is left alone. "delayed" notices are warnings, not bounces. ARF feedback reports
 * (report-type=feedback-report) are complaints by the original recipient.
 */
export async function readReport(raw: Buffer | string): Promise<ReportReading> {
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  const status = mail.attachments.find((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType));
  if (status) return fromDsn(text(status));
  const feedback = mail.attachments.find((a) => /^message\/feedback-report$/i.test(a.contentType));
  if (feedback) {
    const original = mail.attachments.find((a) => /^(message\/rfc822|text\/rfc822-headers)$/i.test(a.contentType));
    return fromArf(text(feedback), original ? text(original) : null);
  }
  return { events: [], note: 'not a delivery-status or feedback report' };
}

async function fromDsn(body: string): Promise<ReportReading> {
  const blocks = body.split(/\r?\n\s*\r?\n/).filter((b) => b.trim());
  const events: BounceEvent[] = [];
  // The first block is about the message; each following block is one recipient.
  for (const block of blocks.slice(1)) {
    const f = await fieldsOf(block);
    const email = addressOf(typed(f.get('final-recipient')) ?? typed(f.get('original-recipient')));
    const action = (f.get('action') ?? '').trim().toLowerCase();
    const statusCode = (f.get('status') ?? '').trim().split(/\s/)[0] ?? '';
    if (!email || action !== 'failed') continue;
    const diagnostic = typed(f.get('diagnostic-code')) ?? '';
    const reply = /^([245]\d\d)\b/.exec(diagnostic)?.[1];
    const classified = classifySmtpFailure({
      command: 'RCPT TO',
      responseCode: reply ? Number(reply) : statusCode.startsWith('5') ? 550 : 450,
      response: diagnostic.includes(statusCode) || !statusCode ? diagnostic || statusCode : `${statusCode} ${diagnostic}`.trim(),
    });
    const detail = `DSN ${statusCode}${diagnostic ? `: ${diagnostic}` : ''}`.slice(0, 500);
    if (classified.class === 'dead') events.push({ email, kind: 'hard', source: 'dsn', detail });
    else if (classified.class === 'temporary') events.push({ email, kind: 'soft', source: 'dsn', detail });
  }
  return events.length ? { events } : { events, note: 'no failed recipient whose mailbox is at fault' };
}

async function fromArf(report: string, original: string | null): Promise<ReportReading> {
  const f = await fieldsOf(report);
  const type = (f.get('feedback-type') ?? '').trim().toLowerCase();
  let email = addressOf(typed(f.get('original-rcpt-to')));
  if (!email && original) {
    const o = await simpleParser(original, { skipHtmlToText: true, skipTextToHtml: true });
    const to = o.to && !Array.isArray(o.to) ? o.to.value[0]?.address : undefined;
    email = addressOf(to);
  }
  if (!email) return { events: [], note: 'the feedback report names no recipient' };
  // "not-spam" is the opposite of a complaint; everything else (abuse, fraud, virus, other) is one.
  if (type === 'not-spam') return { events: [], note: 'a not-spam report' };
  return { events: [{ email, kind: 'complaint', source: 'complaint', detail: `ARF ${type || 'report'}` }] };
}

/** Splits an mbox file (the "From " line before each message, RFC 4155) into its messages, unescaping ">From ". */
export function splitMbox(mbox: string): string[] {
  return mbox
    .split(/^From .*\r?\n/m)
    .filter((m) => m.trim())
    .map((m) => m.replace(/^>(>*From )/gm, '$1'));
}
