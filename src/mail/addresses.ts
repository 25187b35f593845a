import { randomBytes } from 'node:crypto';
import type { Frequency } from '../config.js';
import { envelopeAddress } from './mailer.js';

/** The domain of the From address: Message-IDs and List-Ids live under it. */
export function senderDomain(mailFrom: string): string {
  return envelopeAddress(mailFrom).split('@')[1] ?? 'papermail.localhost';
}

/** A globally unique Message-ID (without angle brackets) for one delivery. */
export function newMessageId(parts: (string | number)[], domain: string): string {
  return `${parts.join('.')}.${randomBytes(6).toString('hex')}@${domain}`;
}

/** RFC 2919 List-Id: a phrase and a dot-atom identifier, one list per frequency. */
export function listId(frequency: Frequency, domain: string): string {
  return `papermail ${frequency} digest <${frequency}.papermail.${domain}>`;
}

/** Host of the public URL, shown to readers ("you subscribed at …"). */
export function siteHost(publicUrl: string): string {
  return new URL(publicUrl).host;
}
