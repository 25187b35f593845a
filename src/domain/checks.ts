import { normalizeTopics } from './topics.js';

/**
 * The checks a request schema names with `x-check` (domain/schema-check.ts runs them): each takes a field's
 * value and its name, and says in words a person understands why it cannot be used, or null when it can.
 * Each is total: it checks the value's type and line breaks too, so that its message is the same whichever
 * of the schema's keywords is looked at first.
 */
export type FieldCheck = (value: unknown, field: string) => string | null;

export const MAX_TOPICS = 20;
const TOPIC = /^[\p{L}\p{N}][\p{L}\p{N} .+#&'\/-]{0,59}$/u;
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

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
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels.at(-1)!)) return 'The part after "@" is not a valid domain.';
  return null;
}

/** Checks an IANA time zone name. */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A whole number from JSON (7) or a form ("7"); null when it is anything else or out of range. */
export const intIn = (v: unknown, min: number, max: number): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
};

/** The ISO weekday (1 = Monday) of a number or an English day name; null otherwise. */
export const weekdayOf = (v: unknown): number | null => {
  const name = typeof v === 'string' ? WEEKDAYS.findIndex((d) => d.toLowerCase() === v.trim().toLowerCase()) : -1;
  return name >= 0 ? name + 1 : intIn(v, 1, 7);
};

/** A field left empty: absent, an empty form box, or null. */
export const absent = (v: unknown) => v === undefined || v === '' || v === null;

const lineBreak = (v: unknown, field: string) => (typeof v === 'string' && /[\r\n]/.test(v) ? `The field "${field}" must not contain line breaks.` : null);
/** Text on one line (a number where `numeric`). */
const oneLine = (v: unknown, field: string, numeric = false) =>
  lineBreak(v, field) ?? (typeof v === 'string' || (numeric && typeof v === 'number') ? null : `The field "${field}" must be text.`);

/** The topics of a form (comma-separated) or of JSON (an array), as a list. */
export const topicList = (v: unknown): string[] => (absent(v) ? [] : normalizeTopics(typeof v === 'string' ? v.split(',') : (v as string[])));

export const FIELD_CHECKS = {
  /** Any other field: text on one line (or a list of such). */
  text: (v, field) => (Array.isArray(v) ? v.map((x) => oneLine(x, field)).find(Boolean) ?? null : oneLine(v, field)),
  email: (v, field) => {
    const bad = oneLine(v, field);
    if (bad) return bad;
    const email = (v as string).trim();
    return email ? checkEmail(email) : 'Please enter your email address.';
  },
  frequency: (v, field) => {
    const bad = oneLine(v, field);
    if (bad) return bad;
    const f = (v as string).trim();
    return !f || f === 'daily' || f === 'weekly' ? null : `Unknown frequency "${f.slice(0, 20)}": choose daily or weekly.`;
  },
  readerFrequency: (v, field) => lineBreak(v, field) ?? (typeof v === 'string' && ['daily', 'weekly', 'paused'].includes(v.trim()) ? null : 'Choose daily, weekly or paused.'),
  topics: (v, field) => {
    if (absent(v)) return null;
    if (Array.isArray(v) ? !v.every((x) => typeof x === 'string') : typeof v !== 'string') return 'Topics must be text, separated by commas.';
    const broken = (Array.isArray(v) ? v : [v]).map((x) => lineBreak(x, field)).find(Boolean);
    if (broken) return broken;
    const topics = topicList(v);
    if (topics.length > MAX_TOPICS) return `Choose at most ${MAX_TOPICS} topics.`;
    const bad = topics.find((t) => !TOPIC.test(t));
    return bad ? `"${bad.slice(0, 40)}" is not a topic: use words, phrases or arXiv categories such as cs.LG (up to 60 characters).` : null;
  },
  hour: (v, field) => oneLine(v, field, true) ?? (absent(v) || intIn(v, 0, 23) !== null ? null : 'The hour must be a whole number from 0 to 23.'),
  weekday: (v, field) => oneLine(v, field, true) ?? (absent(v) || weekdayOf(v) !== null ? null : 'The weekday must be 1 (Monday) to 7 (Sunday), or its name.'),
  timezone: (v, field) =>
    oneLine(v, field) ?? (absent(v) || isTimeZone((v as string).trim()) ? null : `"${String(v).slice(0, 40)}" is not a time zone; use a name such as Europe/Berlin.`),
  maxPapers: (v, field) => lineBreak(v, field) ?? (absent(v) || intIn(v, 1, 30) !== null ? null : 'Papers per digest must be a whole number from 1 to 30.'),
} satisfies Record<string, FieldCheck>;

export type CheckName = keyof typeof FIELD_CHECKS;
