import type { Frequency } from './edition.js';
import type { Parsed } from './parsed.js';
import { parseSchedule, parseTopics } from './preferences.js';

export const FREQUENCIES: readonly Frequency[] = ['daily', 'weekly'];

export interface SignupInput {
  email: string;
  frequency: Frequency;
  topics: string[];
  /** The browser's zone (the form's hidden field) or the API's; unset means DIGEST_TZ. */
  timezone?: string;
  sendHour?: number;
  sendDay?: number;
}

/** Where a consent came from: recorded at signup, confirmation and preference changes. */
export interface ConsentContext {
  ip: string | null;
  userAgent: string | null;
  formVersion: string;
}

/** A signup as it is stored: what the reader gave, their zone settled, and where they consented. */
export type Signup = Omit<SignupInput, 'timezone'> & {
  /** Given by the browser or the API; DIGEST_TZ otherwise (and then not "chosen": the preference page may suggest one). */
  timezone: string;
  timezoneChosen: boolean;
  consent: ConsentContext;
};

/** What a signup did; the HTTP answer is the same for all of them. */
export type SignupOutcome = { action: 'confirm'; subscriberId: number } | { action: 'none'; reason: string };

/** Fields that may be numbers in JSON. */
const NUMERIC = new Set(['send_hour', 'send_day']);

export type { Parsed } from './parsed.js';

// Practical address check (RFC 5321 sizes, dot-atom local part, LDH domain labels with a TLD).
// ASCII only: the address goes into SMTP envelopes and headers without SMTPUTF8.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Checks one email address; returns a message for a person when it cannot be used. */
export function checkEmail(raw: string): string | null {
  if (raw.length > 254) return 'The email address is too long.';
  if (/[^\x20-\x7e]/.test(raw)) return 'Addresses with non-ASCII characters are not supported yet; please use an ASCII address.';
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) return 'Please enter an email address such as name@example.org.';
  const local = raw.slice(0, at);
  const domain = raw.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return 'The part before "@" is not a valid mailbox name.';
  // No mailbox is named like a spreadsheet formula; such an address is an attack on whoever opens the export.
  if (/^[=+]/.test(local)) return 'The part before "@" cannot start with "=" or "+".';
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels.at(-1)!))
    return 'The part after "@" is not a valid domain.';
  return null;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Validates a signup body (form or JSON). No field may hold a line break. */
export function parseSignup(body: unknown): Parsed<SignupInput> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, error: 'Send an email address and a frequency.' };
  const b = body as Record<string, unknown>;
  for (const [key, value] of Object.entries(b)) {
    const texts = key === 'topics' && Array.isArray(value) ? value : [value];
    if (texts.some((t) => typeof t === 'string' && /[\r\n]/.test(t))) return { ok: false, error: `The field "${key}" must not contain line breaks.` };
    const number = NUMERIC.has(key) && typeof value === 'number';
    if (!number && texts.some((t) => t !== undefined && typeof t !== 'string')) return { ok: false, error: `The field "${key}" must be text.` };
  }
  const email = text(b.email)?.trim() ?? '';
  if (!email) return { ok: false, error: 'Please enter your email address.' };
  const emailError = checkEmail(email);
  if (emailError) return { ok: false, error: emailError };
  const frequency = text(b.frequency)?.trim() || 'daily';
  if (!FREQUENCIES.includes(frequency as Frequency))
    return { ok: false, error: `Unknown frequency "${frequency.slice(0, 20)}": choose daily or weekly.` };
  const topics = parseTopics(b.topics);
  if (!topics.ok) return topics;
  const schedule = parseSchedule(b);
  if (!schedule.ok) return schedule;
  return { ok: true, value: { email, frequency: frequency as Frequency, topics: topics.value, ...schedule.value } };
}
