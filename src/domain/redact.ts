// What logs may say about a reader: never a whole address, never a link's token.
import ipaddr from 'ipaddr.js';
//
// Everything here runs in time linear in its input, whatever the input: every logged URL passes through it,
// and a URL is the attacker's to choose. (A backtracking pattern for addresses took quadratic time on a long
// run of letters: 16,000 of them blocked the event loop for 0.3 s.)

/** The most of a URL a log line keeps; the rest is counted, not written. */
export const LOGGED_URL_MAX = 2048;

const code = (c: string) => c.charCodeAt(0);
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
/** A character of an address's domain as logs meet it: letters, digits, '.' and '-'. */
const isDomainChar = (c: number) => isLetter(c) || isDigit(c) || c === 46 || c === 45;
// The local part as logs meet it (no '/', '?', '=' or '%': those end a path segment or a query value).
const LOCAL_PUNCTUATION = new Set([..."!#$&'*+^_`{|}~.-"].map(code));
const isLocalChar = (c: number) => isLetter(c) || isDigit(c) || LOCAL_PUNCTUATION.has(c);

/**
 * The end of the domain that starts at `from`: the longest run of domain characters that ends in a dot and
 * two or more letters, with at least one character before that dot; -1 when there is none.
 */
function domainEnd(text: string, from: number, steps: { n: number }): number {
  let end = -1;
  let i = from;
  while (i < text.length && isDomainChar(text.charCodeAt(i))) {
    if (text.charCodeAt(i) === 46 && i > from) {
      let j = i + 1;
      while (j < text.length && isLetter(text.charCodeAt(j))) j++;
      if (j - i - 1 >= 2) end = j;
      i = j;
    } else i++;
  }
  steps.n += i - from;
  return end;
}

/**
 * Masks every address in a text: `bob@example.org` becomes `b***@example.org` (the domain helps find a
 * provider's fault); `bob%40example.org`, as URLs carry it, becomes `b***%40example.org`. One pass: each
 * character is looked at a bounded number of times (`steps`, when given, counts them for the tests).
 */
export function maskAddresses(text: string, steps: { n: number } = { n: 0 }): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    steps.n++;
    const at = text.charCodeAt(i) === 64 ? 1 : text.startsWith('%40', i) ? 3 : 0;
    if (!at) {
      i++;
      continue;
    }
    // The local part: back from the '@' over local characters, never into what was already written out.
    let start = i;
    while (start > copied && isLocalChar(text.charCodeAt(start - 1))) start--;
    steps.n += i - start;
    const end = start < i ? domainEnd(text, i + at, steps) : -1;
    if (end < 0) {
      i += at;
      continue;
    }
    out += `${text.slice(copied, start)}${text[start]}***${text.slice(i, end)}`;
    copied = end;
    i = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** A secret as logs may keep it: its first characters, enough to tell two apart, never enough to use. */
const cutSecret = (value: string) => (value.length > 6 ? `${value.slice(0, 6)}…` : value);

// Query keys whose values are secrets (a CSRF token, a link token, a signature), whatever the route.
const SECRET_KEY = /csrf|token|secret|key|sig|auth|pass|code/i;

/** What the router matched: its pattern (`/feedback/:paper/:token`) and the values of its parameters. */
export interface MatchedRoute {
  pattern: string;
  params: Record<string, unknown>;
}

/**
 * The path as the route table says it: each parameter's value in place of its name, where only the
 * parameters in `shown` keep their value and every other one (a link token, and any parameter a later route
 * adds) is cut. A new route cannot forget its redaction: it has to be allowed to show a value.
 */
function pathOfRoute(route: MatchedRoute, shown: ReadonlySet<string>): string {
  return route.pattern.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?|\*$/g, (whole, name: string | undefined) => {
    const key = name ?? '*';
    const value = String(route.params[key] ?? '');
    return shown.has(key) ? value : cutSecret(value);
  });
}

/** A path no route matched: its first segment as it is, and any longer segment after it cut. */
const pathUnmatched = (path: string) =>
  path
    .split('/')
    .map((segment, k) => (k > 1 && segment.length > 12 ? cutSecret(segment) : segment))
    .join('/');

const queryRedacted = (query: string) =>
  query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 && SECRET_KEY.test(pair.slice(0, eq)) ? `${pair.slice(0, eq + 1)}${cutSecret(pair.slice(eq + 1))}` : pair;
    })
    .join('&');

/** Keeps the first LOGGED_URL_MAX characters of a text, and says how many more there were. */
const capped = (text: string) => (text.length > LOGGED_URL_MAX ? `${text.slice(0, LOGGED_URL_MAX)}…[${text.length - LOGGED_URL_MAX} more]` : text);

/**
 * A request URL as logs may keep it: the path from the matched route (tokens cut; see pathOfRoute), or cut
 * after its first segment when no route matched; secret query values cut; addresses masked; at most
 * LOGGED_URL_MAX characters.
 */
export function redactUrl(url: string, route?: MatchedRoute, shown: ReadonlySet<string> = SHOWN_PARAMS): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const redacted = `${route ? pathOfRoute(route, shown) : pathUnmatched(path)}${query ? `?${queryRedacted(query)}` : ''}`;
  return capped(maskAddresses(redacted));
}

/** Route parameters that are not secrets: ids, a paper's id, an address (masked), a static file's path. */
const SHOWN_PARAMS: ReadonlySet<string> = new Set(['id', 'paper', 'email', '*']);

/** How much of a client's address the access log keeps (LOG_IP). */
export type LogIp = 'full' | 'truncated' | 'none';

/**
 * A client address as logs may keep it: whole, cut to its network (/24 for IPv4, /48 for IPv6, which is a
 * site rather than a person), or not at all.
 */
export function ipForLog(ip: string | undefined, mode: LogIp): string | undefined {
  if (!ip || mode === 'none') return undefined;
  if (mode === 'full') return ip;
  if (!ipaddr.isValid(ip)) return undefined;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  const bytes = addr.toByteArray();
  const kept = addr.kind() === 'ipv4' ? 3 : 6;
  bytes.fill(0, kept);
  return `${ipaddr.fromByteArray(bytes).toString()}/${kept * 8}`;
}
