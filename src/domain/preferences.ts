import { normalizeTopics } from './topics.js';
import type { Parsed } from './parsed.js';

export type ReaderFrequency = 'daily' | 'weekly' | 'paused';

/** A preference change; a field left out (undefined) keeps the reader's current value. */
export interface Preferences {
  frequency: ReaderFrequency;
  topics: string[];
  maxPapers?: number | null;
  sendHour?: number;
  timezone?: string;
  /** ISO weekday of a weekly digest, 1 = Monday. */
  sendDay?: number;
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

export const MAX_TOPICS = 20;
const TOPIC = /^[\p{L}\p{N}][\p{L}\p{N} .+#&'\/-]{0,59}$/u;

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

/** Topics from a form (comma-separated) or JSON (array); a message for a person when they cannot be used. */
export function parseTopics(v: unknown): Parsed<string[]> {
  if (v === undefined || v === null || v === '') return { ok: true, value: [] };
  const list = typeof v === 'string' ? v.split(',') : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  if (!list) return { ok: false, error: 'Topics must be text, separated by commas.' };
  const topics = normalizeTopics(list);
  if (topics.length > MAX_TOPICS) return { ok: false, error: `Choose at most ${MAX_TOPICS} topics.` };
  const bad = topics.find((t) => !TOPIC.test(t));
  if (bad) return { ok: false, error: `"${bad.slice(0, 40)}" is not a topic: use words, phrases or arXiv categories such as cs.LG (up to 60 characters).` };
  return { ok: true, value: topics };
}

/** A whole number from JSON (7) or a form ("7"); null when it is anything else or out of range. */
export const intIn = (v: unknown, min: number, max: number): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
};

const absent = (v: unknown) => v === undefined || v === '' || v === null;

/** The schedule fields shared by signup and the preference center: hour, day and zone, each optional. */
export function parseSchedule(b: Record<string, unknown>): Parsed<{ sendHour?: number; sendDay?: number; timezone?: string }> {
  const out: { sendHour?: number; sendDay?: number; timezone?: string } = {};
  if (!absent(b.send_hour)) {
    const h = intIn(b.send_hour, 0, 23);
    if (h === null) return { ok: false, error: 'The hour must be a whole number from 0 to 23.' };
    out.sendHour = h;
  }
  if (!absent(b.send_day)) {
    const name = typeof b.send_day === 'string' ? WEEKDAYS.findIndex((d) => d.toLowerCase() === b.send_day!.toString().trim().toLowerCase()) : -1;
    const d = name >= 0 ? name + 1 : intIn(b.send_day, 1, 7);
    if (d === null) return { ok: false, error: 'The weekday must be 1 (Monday) to 7 (Sunday), or its name.' };
    out.sendDay = d;
  }
  if (!absent(b.timezone)) {
    const tz = typeof b.timezone === 'string' ? b.timezone.trim() : '';
    if (!isTimeZone(tz)) return { ok: false, error: `"${String(b.timezone).slice(0, 40)}" is not a time zone; use a name such as Europe/Berlin.` };
    out.timezone = tz;
  }
  return { ok: true, value: out };
}

/** Validates a preference form or JSON body as strictly as signup; nothing changes on an error. */
export function parsePreferences(body: unknown): Parsed<Preferences> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, error: 'Send your preferences as a form or a JSON object.' };
  const b = body as Record<string, unknown>;
  for (const [key, value] of Object.entries(b)) {
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((t) => typeof t === 'string' && /[\r\n]/.test(t))) return { ok: false, error: `The field "${key}" must not contain line breaks.` };
  }
  const frequency = typeof b.frequency === 'string' ? b.frequency.trim() : '';
  if (!['daily', 'weekly', 'paused'].includes(frequency)) return { ok: false, error: 'Choose daily, weekly or paused.' };
  const topics = parseTopics(b.topics);
  if (!topics.ok) return topics;
  // Left out: kept. Empty (the form's empty box) or null: back to DIGEST_SIZE.
  let maxPapers: number | null | undefined;
  if (b.max_papers === '' || b.max_papers === null) maxPapers = null;
  else if (b.max_papers !== undefined) {
    maxPapers = intIn(b.max_papers, 1, 30);
    if (maxPapers === null) return { ok: false, error: 'Papers per digest must be a whole number from 1 to 30.' };
  }
  const schedule = parseSchedule(b);
  if (!schedule.ok) return schedule;
  return { ok: true, value: { frequency: frequency as ReaderFrequency, topics: topics.value, maxPapers, ...schedule.value } };
}

/** The reader's schedule in words, never in cron syntax: "every day at 08:00, Asia/Tokyo time". */
export function describeSchedule(r: { frequency: string; sendHour: number; sendDay: number; timezone: string }): string {
  const at = `at ${String(r.sendHour).padStart(2, '0')}:00, ${r.timezone} time`;
  if (r.frequency === 'paused') return 'paused: nothing is sent until you pick daily or weekly again';
  return r.frequency === 'weekly' ? `every ${WEEKDAYS[r.sendDay - 1] ?? 'Monday'} ${at}` : `every day ${at}`;
}
