import { createHmac, randomBytes } from 'node:crypto';
import type { Frequency } from '../domain/edition.js';
import { DEFAULT_BRAND, type Brand } from '../domain/brand.js';
import { envelopeAddress } from './mailer.js';

/** The domain of the From address: Message-IDs and List-Ids live under it. */
export function senderDomain(mailFrom: string): string {
  return envelopeAddress(mailFrom).split('@')[1] ?? 'papermail.localhost';
}

/** A globally unique Message-ID (without angle brackets) for one delivery. */
export function newMessageId(parts: (string | number)[], domain: string): string {
  return `${parts.join('.')}.${randomBytes(6).toString('hex')}@${domain}`;
}

/**
 * The Message-ID of one delivery: the same on every attempt, so a copy re-sent after a crash is
 * recognisable as a duplicate by the receiving side. The tag (from SECRET) keeps installs apart.
 */
export function deliveryMessageId(editionId: number, deliveryId: number, tag: string, domain: string): string {
  return `${editionId}.${deliveryId}.${tag}@${domain}`;
}

/** The installation's Message-ID tag, derived from SECRET: compute once per process. */
export function messageIdTag(secret: string): string {
  return createHmac('sha256', secret).update('message-id').digest('hex').slice(0, 12);
}

/**
 * RFC 2919 List-Id: a phrase and a dot-atom identifier, one list per frequency, under the sender's domain.
 * The name's label is left out when the domain already starts with it (papermail.localhost gives
 * daily.papermail.localhost, never daily.papermail.papermail.localhost).
 */
export function listId(frequency: Frequency, domain: string, brand: Pick<Brand, 'name' | 'slug'> = DEFAULT_BRAND): string {
  const host = domain.toLowerCase() === brand.slug || domain.toLowerCase().startsWith(`${brand.slug}.`) ? domain : `${brand.slug}.${domain}`;
  // The phrase in plain atoms (no quotes, which nodemailer would encode): letters, digits and a few marks.
  const phrase = brand.name.replace(/[^A-Za-z0-9 !#$%&'*+/=?^_`{|}~-]+/g, ' ').replace(/\s+/g, ' ').trim() || brand.slug;
  return `${phrase} ${frequency} digest <${frequency}.${host}>`;
}

/** An RFC 5322 Date header value. */
export function mailDate(at: Date): string {
  return at.toUTCString().replace('GMT', '+0000');
}

/**
 * Gmail's Feedback-ID (its feedback loop reports complaint rates per value): constant per stream, never
 * per reader. Four fields, the last one the sender: "daily:digest:papermail:example.org".
 */
export function feedbackId(stream: string, kind: 'digest' | 'welcome', domain: string, slug = DEFAULT_BRAND.slug): string {
  return `${stream}:${kind}:${slug}:${domain}`;
}
