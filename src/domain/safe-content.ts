/**
 * What outside text and links may look like once they are ours: feeds are hostile until checked. One
 * policy, applied when a paper is ingested (every source, item by item) and again when it is rendered.
 */

/** Longest link we keep; longer ones are not links a person follows. */
export const MAX_URL_LENGTH = 2048;

// C0 controls except tab and newline (U+0000 included), and DEL: Postgres rejects U+0000 in text, and
// XML 1.0 forbids the other C0 controls, so one of them would break the RSS feed.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;
const HAS_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/** Removes control characters (all of C0 but tab and newline, and DEL). */
export function cleanText(s: string): string {
  return s.replace(CONTROL, '');
}

/**
 * A link we may put in an href: http or https only (never javascript:, data:, vbscript:, file:…), parsed
 * by the WHATWG URL parser, stripped of credentials, at most MAX_URL_LENGTH characters. Null otherwise.
 */
export function safeUrl(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const trimmed = raw.trim();
  if (!trimmed || trimmed.length > MAX_URL_LENGTH || HAS_CONTROL.test(trimmed)) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  url.username = '';
  url.password = '';
  const out = url.toString();
  return out.length > MAX_URL_LENGTH ? null : out;
}
