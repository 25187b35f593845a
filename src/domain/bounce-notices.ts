import type { BounceEvent } from './bounces.js';

/**
 * What a bounce webhook body says: events to record, a subscription to confirm (Amazon SNS's handshake),
 * nothing of interest (a delivery notice, an open), or a body that is none of the shapes we read.
 */
export type WebhookNotice =
  | { kind: 'events'; events: BounceEvent[] }
  | { kind: 'subscribe'; url: string }
  | { kind: 'ignored'; why: string }
  | { kind: 'invalid'; error: string };

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const ADDRESS = /^[^\s@<>()",;:]{1,64}@[^\s@<>()",;:]{1,253}$/;
/** An address as a provider sends it ("Name <a@b>" or "a@b"), or null. */
export const addressOf = (v: unknown): string | null => {
  const s = str(v);
  if (!s) return null;
  const inner = /<([^<>]+)>\s*$/.exec(s)?.[1] ?? s;
  const a = inner.trim().toLowerCase();
  return ADDRESS.test(a) && a.length <= 254 ? a : null;
};
const detailOf = (...parts: unknown[]) => parts.map(str).filter(Boolean).join('; ').slice(0, 500) || null;

/** Amazon SES notification (through SNS, or SES event publishing): Bounce or Complaint. */
function fromSes(m: Record<string, unknown>): WebhookNotice {
  const type = str(m.notificationType) ?? str(m.eventType);
  if (type === 'Bounce') {
    const b = obj(m.bounce);
    const recipients = Array.isArray(b?.bouncedRecipients) ? b!.bouncedRecipients : [];
    // Permanent: the address is gone. Transient and Undetermined: try again, count it.
    const kind = b?.bounceType === 'Permanent' ? 'hard' : 'soft';
    const events = recipients
      .map((r) => obj(r))
      .map((r) => ({ email: addressOf(r?.emailAddress), detail: detailOf(`SES ${String(b?.bounceType)}/${String(b?.bounceSubType)}`, r?.status, r?.diagnosticCode) }))
      .filter((r): r is { email: string; detail: string | null } => r.email !== null)
      .map((r) => ({ ...r, kind, source: 'webhook' }) as BounceEvent);
    return events.length ? { kind: 'events', events } : { kind: 'invalid', error: 'The SES bounce names no recipient address.' };
  }
  if (type === 'Complaint') {
    const c = obj(m.complaint);
    const recipients = Array.isArray(c?.complainedRecipients) ? c!.complainedRecipients : [];
    const events = recipients
      .map((r) => addressOf(obj(r)?.emailAddress))
      .filter((e): e is string => e !== null)
      .map((email) => ({ email, kind: 'complaint', source: 'webhook', detail: detailOf('SES complaint', c?.complaintFeedbackType), messageId: messageIdOf(obj(obj(m.mail)?.commonHeaders)?.messageId) }) as BounceEvent);
    return events.length ? { kind: 'events', events } : { kind: 'invalid', error: 'The SES complaint names no recipient address.' };
  }
  return { kind: 'ignored', why: `SES ${type ?? 'notification'} is not a bounce or a complaint` };
}

const POSTMARK_SOFT = new Set(['SoftBounce', 'Transient', 'DnsError', 'AutoResponder', 'ChallengeVerification', 'SMTPApiError', 'Unknown']);
const POSTMARK_HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated', 'Blocked', 'InboundError']);

/** Postmark's bounce and spam complaint webhooks. */
function fromPostmark(b: Record<string, unknown>): WebhookNotice {
  const email = addressOf(b.Email);
  if (!email) return { kind: 'invalid', error: 'The Postmark notification has no valid "Email".' };
  const type = str(b.Type) ?? '';
  const detail = detailOf(`Postmark ${type}`, b.Description, b.Details);
  if (b.RecordType === 'SpamComplaint' || type === 'SpamComplaint') return { kind: 'events', events: [{ email, kind: 'complaint', source: 'webhook', detail }] };
  if (b.RecordType !== 'Bounce') return { kind: 'ignored', why: `Postmark ${String(b.RecordType)} is not a bounce or a complaint` };
  if (POSTMARK_HARD.has(type)) return { kind: 'events', events: [{ email, kind: 'hard', source: 'webhook', detail }] };
  if (POSTMARK_SOFT.has(type)) return { kind: 'events', events: [{ email, kind: 'soft', source: 'webhook', detail }] };
  return { kind: 'ignored', why: `Postmark bounce type ${type || '(none)'} does not concern the address` };
}

/** papermail's own shape: {email, type: "hard"|"soft"|"complaint", reason?}, or an array of them. */
function fromGeneric(items: unknown[]): WebhookNotice {
  const events: BounceEvent[] = [];
  for (const [i, raw] of items.entries()) {
    const b = obj(raw);
    const email = addressOf(b?.email);
    const type = b?.type;
    if (!email) return { kind: 'invalid', error: `Item ${i + 1}: "email" must be an email address.` };
    if (type !== 'hard' && type !== 'soft' && type !== 'complaint') return { kind: 'invalid', error: `Item ${i + 1}: "type" must be "hard", "soft" or "complaint".` };
    if (b?.reason !== undefined && typeof b.reason !== 'string') return { kind: 'invalid', error: `Item ${i + 1}: "reason" must be text.` };
    events.push({ email, kind: type, source: 'webhook', detail: detailOf(b?.reason), messageId: messageIdOf(b?.messageId) });
  }
  return events.length ? { kind: 'events', events } : { kind: 'invalid', error: 'Send at least one {email, type} item.' };
}

/** Reads a webhook body in any of the shapes we support. */
export function readWebhook(body: unknown): WebhookNotice {
  if (Array.isArray(body)) return body.length <= 1000 ? fromGeneric(body) : { kind: 'invalid', error: 'Send at most 1,000 items at once.' };
  const b = obj(body);
  if (!b) return { kind: 'invalid', error: 'Send a JSON object.' };
  // Amazon SNS: an envelope whose Message is the SES notification, as a JSON string.
  if (b.Type === 'SubscriptionConfirmation' || b.Type === 'UnsubscribeConfirmation') {
    const url = str(b.SubscribeURL);
    return url ? { kind: 'subscribe', url } : { kind: 'invalid', error: 'The SNS subscription confirmation has no SubscribeURL.' };
  }
  if (b.Type === 'Notification' && typeof b.Message === 'string') {
    let inner: unknown;
    try {
      inner = JSON.parse(b.Message);
    } catch {
      return { kind: 'invalid', error: 'The SNS message is not JSON.' };
    }
    const m = obj(inner);
    return m ? fromSes(m) : { kind: 'invalid', error: 'The SNS message is not a JSON object.' };
  }
  if ('notificationType' in b || 'eventType' in b) return fromSes(b);
  if ('RecordType' in b) return fromPostmark(b);
  if ('email' in b) return fromGeneric([b]);
  return { kind: 'invalid', error: 'Unknown notification: send {email, type}, an Amazon SNS/SES notification, or a Postmark webhook.' };
}

/** A Message-ID as the digest's header carries it (`<local@domain>`), from outside data; null when it is not one. */
export function messageIdOf(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^\s*<?([^<>\s@]{1,200}@[^<>\s@]{1,200})>?\s*$/.exec(v);
  return m ? `<${m[1]}>` : null;
}
