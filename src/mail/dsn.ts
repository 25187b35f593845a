import type { Transform } from 'node:stream';
import { Headers, Splitter } from '@zone-eu/mailsplit';
import type { BounceEvent } from '../domain/bounces.js';
import { addressOf, messageIdOf } from '../domain/bounce-notices.js';
import { classifySmtpFailure } from './smtp-outcome.js';

/** What a report mail says about our recipients: bounces (RFC 3464) or a complaint (RFC 5965). */
export interface ReportReading {
  events: BounceEvent[];
  /** Why nothing was taken from it, when nothing was. */
  note?: string;
}

interface Part {
  contentType: string;
  /** The decoded body. */
  body: string;
}

/** Every MIME part of a message, decoded, through mailsplit (mailparser folds report parts into its text). */
async function partsOf(raw: Buffer | string): Promise<Part[]> {
  const parts: Part[] = [];
  const decoding: Promise<void>[] = [];
  let current: { part: Part; decoder: NodeJS.ReadWriteStream } | null = null;
  type Chunk = { type: string; contentType?: string | false; getDecoder?: () => NodeJS.ReadWriteStream; value?: Buffer };
  // Typed as the Transform stream it is: its object chunks are read below as Chunk.
  const splitter = new Splitter() as unknown as Transform;
  splitter.on('data', (data: Chunk) => {
    if (data.type === 'node') {
      current?.decoder.end();
      const part: Part = { contentType: String(data.contentType || 'text/plain'), body: '' };
      const decoder = data.getDecoder!();
      const chunks: Buffer[] = [];
      decoder.on('data', (c: Buffer) => chunks.push(c));
      decoding.push(new Promise((resolve, reject) => decoder.on('end', () => resolve(void (part.body = Buffer.concat(chunks).toString('utf8')))).on('error', reject)));
      current = { part, decoder };
      parts.push(part);
    } else if (data.type === 'body' && current && data.value) current.decoder.write(data.value);
  });
  await new Promise<void>((resolve, reject) => {
    splitter.on('end', resolve).on('error', reject);
    splitter.end(typeof raw === 'string' ? Buffer.from(raw) : raw);
  });
  (current as { decoder: NodeJS.ReadWriteStream } | null)?.decoder.end();
  await Promise.all(decoding);
  return parts;
}

/** The header fields of one block of a report part (RFC 3464 and 5965 use header syntax), parsed by mailsplit. */
function fieldsOf(block: string): { get(key: string): string | undefined } {
  const headers = new Headers(Buffer.from(`${block.trim()}\r\n`));
  return { get: (key) => headers.getFirst(key) || undefined };
}
const typed = (v: string | undefined) => v?.replace(/^\s*[\w-]+\s*;\s*/, '').trim();

/**
 * Reads one report mail. Delivery-status notifications (multipart/report; report-type=delivery-status)
 * give one event per failed recipient, classified by the same SMTP policy as a live answer: a dead
 * mailbox is a hard bounce; a temporary failure that the remote server gave up on is a soft one; a
 * refusal that is not about the mailbox (content, policy, our sender) is not the reader's fault and is
 * left alone. "delayed" notices are warnings, not bounces. ARF feedback reports (report-type=
 * feedback-report) are complaints by the original recipient.
 */
export async function readReport(raw: Buffer | string): Promise<ReportReading> {
  const parts = await partsOf(raw);
  const status = parts.find((p) => /^message\/(global-)?delivery-status$/.test(p.contentType));
  if (status) return fromDsn(status.body);
  const feedback = parts.find((p) => p.contentType === 'message/feedback-report');
  if (feedback) {
    // The original message (message/rfc822), or just its headers (text/rfc822-headers): whom it went to.
    const original = parts.find((p) => p.contentType === 'message/rfc822' || p.contentType === 'text/rfc822-headers');
    const headers = original ? fieldsOf(original.body.split(/\r?\n\r?\n/)[0] ?? '') : null;
    return fromArf(feedback.body, headers?.get('to'), headers?.get('message-id'));
  }
  return { events: [], note: 'not a delivery-status or feedback report' };
}

function fromDsn(body: string): ReportReading {
  const blocks = body.split(/\r?\n\s*\r?\n/).filter((b) => b.trim());
  const events: BounceEvent[] = [];
  // The first block is about the message; each following block is one recipient.
  for (const block of blocks.slice(1)) {
    const f = fieldsOf(block);
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

function fromArf(report: string, originalTo: string | undefined, messageId: string | undefined): ReportReading {
  const f = fieldsOf(report);
  const type = (f.get('feedback-type') ?? '').trim().toLowerCase();
  const email = addressOf(typed(f.get('original-rcpt-to'))) ?? addressOf(originalTo);
  if (!email) return { events: [], note: 'the feedback report names no recipient' };
  // "not-spam" is the opposite of a complaint; everything else (abuse, fraud, virus, other) is one.
  if (type === 'not-spam') return { events: [], note: 'a not-spam report' };
  return { events: [{ email, kind: 'complaint', source: 'complaint', detail: `ARF ${type || 'report'}`, messageId: messageIdOf(messageId) }] };
}

/** Splits an mbox file (the "From " line before each message, RFC 4155) into its messages, unescaping ">From ". */
export function splitMbox(mbox: string): string[] {
  return mbox
    .split(/^From .*\r?\n/m)
    .filter((m) => m.trim())
    .map((m) => m.replace(/^>(>*From )/gm, '$1'));
}
