import type { Frequency } from './edition.js';
import { Type, type Static } from '@sinclair/typebox';
import { absent, intIn, MAX_TOPICS, topicList, weekdayOf, type CheckName } from './checks.js';
import type { Parsed } from './parsed.js';
import { bodyChecker } from './schema-check.js';

export { checkEmail } from './checks.js';

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

export type { Parsed } from './parsed.js';

const check = (name: CheckName, description: string) => ({ 'x-check': name, description });
/** A field of text on one line, checked by `name` (domain/checks.ts). */
export const textField = (field: string, name: CheckName, description: string) =>
  Type.String({ ...check(name, description), 'x-messages': { type: `The field "${field}" must be text.` } });
/** A field of text, or a number in JSON (a form's are text). */
const textOrNumber = (field: string, name: CheckName, description: string) =>
  Type.Union([Type.Number(), Type.String()], { ...check(name, description), 'x-messages': { anyOf: `The field "${field}" must be text.` } });

/** The schedule fields shared by signup and the preference center: hour, weekday and zone, each optional. */
export const SCHEDULE_FIELDS = {
  timezone: Type.Optional(textField('timezone', 'timezone', 'IANA time zone, e.g. Asia/Tokyo')),
  send_hour: Type.Optional(textOrNumber('send_hour', 'hour', 'Local hour of delivery, 0-23 (a number or its text)')),
  send_day: Type.Optional(textOrNumber('send_day', 'weekday', 'Weekday of a weekly digest: 1 (Monday) to 7, or its English name')),
};

/** Topics as a form sends them (comma-separated) or as JSON does (an array). */
export const TOPICS_FIELD = Type.Union([Type.String({ description: 'comma-separated' }), Type.Array(Type.String(), { maxItems: 200 })], {
  ...check('topics', `Up to ${MAX_TOPICS} words, phrases or arXiv categories (cs.LG)`),
  'x-messages': { anyOf: 'Topics must be text, separated by commas.' },
});

/**
 * A signup, as the form posts it and as JSON sends it: the only description of it (the route validates with
 * it, /openapi.json shows it, the CSV import checks each row with it). Every field is text on one line.
 */
export const SignupBody = Type.Object(
  {
    email: textField('email', 'email', 'The address to confirm and mail'),
    frequency: Type.Optional(textField('frequency', 'frequency', 'daily (the default) or weekly')),
    topics: Type.Optional(TOPICS_FIELD),
    ...SCHEDULE_FIELDS,
    website: Type.Optional(textField('website', 'text', 'The honeypot: leave it empty')),
    form_ts: Type.Optional(textField('form_ts', 'text', 'The form stamp from the signup page')),
    altcha: Type.Optional(textField('altcha', 'text', 'The proof-of-work answer, when SIGNUP_PROOF_OF_WORK is on')),
  },
  {
    additionalProperties: Type.Unknown(check('text', 'Any other field is ignored, but must be text on one line')),
    'x-messages': { type: 'Send an email address and a frequency.', required: 'Please enter your email address.' },
  },
);
export type SignupFields = Static<typeof SignupBody>;

/** The schedule of checked fields, as numbers and a trimmed zone. */
export function scheduleOf(b: { timezone?: unknown; send_hour?: unknown; send_day?: unknown }): { sendHour?: number; sendDay?: number; timezone?: string } {
  const out: { sendHour?: number; sendDay?: number; timezone?: string } = {};
  if (!absent(b.send_hour)) out.sendHour = intIn(b.send_hour, 0, 23)!;
  if (!absent(b.send_day)) out.sendDay = weekdayOf(b.send_day)!;
  if (!absent(b.timezone)) out.timezone = String(b.timezone).trim();
  return out;
}

/** A checked signup body as papermail keeps it: the address trimmed, daily by default, topics as a clean list. */
export function signupOf(b: SignupFields): SignupInput {
  return { email: b.email.trim(), frequency: (b.frequency?.trim() || 'daily') as Frequency, topics: topicList(b.topics), ...scheduleOf(b) };
}

const checkSignup = bodyChecker<SignupFields>(SignupBody);

/** Validates a signup (a CSV row, or a body outside a route) against SignupBody; the clean value, or the message. */
export function parseSignup(body: unknown): Parsed<SignupInput> {
  const checked = checkSignup(body);
  return checked.ok ? { ok: true, value: signupOf(checked.value) } : checked;
}
