import { normalizeTopics } from './topics.js';
import type { Parsed } from './parsed.js';

export type ReaderFrequency = 'daily' | 'weekly' | 'paused';

export interface Preferences {
  frequency: ReaderFrequency;
  topics: string[];
  maxPapers: number | null;
  sendHour: number;
  timezone: string;
}

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

const intIn = (v: unknown, min: number, max: number): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
};

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
  let maxPapers: number | null = null;
  if (b.max_papers !== undefined && b.max_papers !== '' && b.max_papers !== null) {
    maxPapers = intIn(b.max_papers, 1, 30);
    if (maxPapers === null) return { ok: false, error: 'Papers per digest must be a whole number from 1 to 30.' };
  }
  const sendHour = b.send_hour === undefined || b.send_hour === '' ? 8 : intIn(b.send_hour, 0, 23);
  if (sendHour === null) return { ok: false, error: 'The hour must be a whole number from 0 to 23.' };
  const timezone = typeof b.timezone === 'string' && b.timezone.trim() ? b.timezone.trim() : 'UTC';
  if (!isTimeZone(timezone)) return { ok: false, error: `"${timezone.slice(0, 40)}" is not a time zone; use a name such as Europe/Berlin.` };
  return { ok: true, value: { frequency: frequency as ReaderFrequency, topics: topics.value, maxPapers, sendHour, timezone } };
}
