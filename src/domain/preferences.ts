import { Type, type Static } from '@sinclair/typebox';
import { absent, intIn, topicList, WEEKDAYS } from './checks.js';
import type { Parsed } from './parsed.js';
import { bodyChecker } from './schema-check.js';
import { scheduleOf, SCHEDULE_FIELDS, TOPICS_FIELD } from './signup.js';

export { isTimeZone, WEEKDAYS } from './checks.js';

type ReaderFrequency = 'daily' | 'weekly' | 'paused';

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

/**
 * A preference change, as the form posts it and as JSON sends it (the route validates with it and
 * /openapi.json shows it). A field left out keeps its value; an empty `max_papers` goes back to DIGEST_SIZE.
 */
export const PreferencesBody = Type.Object(
  {
    frequency: Type.String({ 'x-check': 'readerFrequency', description: 'daily, weekly or paused' }),
    topics: Type.Optional(TOPICS_FIELD),
    max_papers: Type.Optional(
      Type.Union([Type.Number(), Type.String(), Type.Null()], { 'x-check': 'maxPapers', description: '1-30; empty or null for the default', 'x-messages': { anyOf: 'Papers per digest must be a whole number from 1 to 30.' } }),
    ),
    ...SCHEDULE_FIELDS,
  },
  {
    additionalProperties: Type.Unknown({ 'x-check': 'text', description: 'Any other field is ignored, but must be text on one line' }),
    'x-messages': { type: 'Send your preferences as a form or a JSON object.', required: 'Choose daily, weekly or paused.' },
  },
);
export type PreferenceFields = Static<typeof PreferencesBody>;

/** A checked preference body as papermail keeps it. */
export function preferencesOf(b: PreferenceFields): Preferences {
  // Left out: kept. Empty (the form's empty box) or null: back to DIGEST_SIZE.
  const maxPapers = b.max_papers === undefined ? undefined : absent(b.max_papers) ? null : intIn(b.max_papers, 1, 30)!;
  return { frequency: b.frequency.trim() as ReaderFrequency, topics: topicList(b.topics), ...(maxPapers !== undefined ? { maxPapers } : {}), ...scheduleOf(b) };
}

const checkPreferences = bodyChecker<PreferenceFields>(PreferencesBody);

/** Validates a preference body against PreferencesBody; the clean value, or the message. */
export function parsePreferences(body: unknown): Parsed<Preferences> {
  const checked = checkPreferences(body);
  return checked.ok ? { ok: true, value: preferencesOf(checked.value) } : checked;
}

/** The reader's schedule in words, never in cron syntax: "every day at 08:00, Asia/Tokyo time". */
export function describeSchedule(r: { frequency: string; sendHour: number; sendDay: number; timezone: string }): string {
  const at = `at ${String(r.sendHour).padStart(2, '0')}:00, ${r.timezone} time`;
  if (r.frequency === 'paused') return 'paused: nothing is sent until you pick daily or weekly again';
  return r.frequency === 'weekly' ? `every ${WEEKDAYS[r.sendDay - 1] ?? 'Monday'} ${at}` : `every day ${at}`;
}
