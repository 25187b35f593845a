import MailComposer from 'nodemailer/lib/mail-composer';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { escapeRegExp } from '../../domain/html.js';
import { SLOT, VIEW, type SlotName, type Slots, type ViewName } from '../../domain/marks.js';


type Name = SlotName | ViewName;
/** Values whose text is inserted as given: encoded bodies, and a Subject header already encoded and folded. */
const RAW: ReadonlySet<Name> = new Set<Name>(['textBody', 'htmlBody']);

export interface MessageSpec {
  from: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers (List-Id and the like), fixed for every reader. */
  headers?: Record<string, string>;
  /** Adds List-Unsubscribe (with the reader's URL) and RFC 8058 List-Unsubscribe-Post. */
  listUnsubscribe?: boolean;
  /** Both parts quoted-printable even when their text is plain ASCII (a frame whose bodies come later). */
  quotedPrintable?: boolean;
}

/** A message composed once; `fill` makes one reader's raw RFC 5322 message by substitution. */
export interface MimeTemplate {
  readonly source: string;
  fill(values: Slots & Partial<Record<ViewName, string>>): string;
  /** The same message as pieces in order (see RawMessage): the template's own text is shared, not copied. */
  pieces(values: Slots & Partial<Record<ViewName, Value>>): string[];
}

/**
 * A slot's value. Only the encoded bodies (textBody, htmlBody) may be pieces, or a function that appends
 * its pieces to the message's own array where the slot sits (no array of its own to copy from).
 */
export type Value = string | readonly string[] | ((out: string[]) => void);

type Encoding = 'header' | '7bit' | 'quoted-printable';
/** Fixed text, or a place for a value and how the value is encoded there. */
export type Segment = string | { slot: Name; encoding: Encoding };

// QP may fold a placeholder with a soft line break (=CRLF) anywhere, so match with one allowed between any two characters.
const slotPattern = (placeholder: string) =>
  placeholder
    .split('')
    .map(escapeRegExp)
    .join('(?:=\\r\\n)?');

const MARKS: Record<Name, string> = { ...SLOT, ...VIEW };
const ALL = new RegExp(
  (Object.keys(MARKS) as Name[]).map((name) => `(?<${name}>${slotPattern(MARKS[name])})`).join('|'),
  'g',
);

function encodingAt(source: string, index: number, headerEnd: number): Encoding {
  if (index < headerEnd) return 'header';
  const before = source.slice(0, index);
  const matches = [...before.matchAll(/^Content-Transfer-Encoding:\s*([\w-]+)/gim)];
  const enc = matches.at(-1)?.[1]?.toLowerCase() ?? '7bit';
  if (enc === 'quoted-printable' || enc === '7bit' || enc === '8bit') return enc === 'quoted-printable' ? enc : '7bit';
  throw new Error(`a slot sits in a ${enc} part, where it cannot be substituted`);
}

/** Splits text into fixed text and slots; `encodingOf` says how a value is encoded where its slot sits. */
function segmentsOf(source: string, encodingOf: (index: number) => Encoding): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const m of source.matchAll(ALL)) {
    const slot = (Object.keys(MARKS) as Name[]).find((k) => m.groups![k] !== undefined)!;
    segments.push(source.slice(last, m.index), { slot, encoding: encodingOf(m.index) });
    last = m.index + m[0].length;
  }
  segments.push(source.slice(last));
  return segments.filter((s) => s !== '');
}

/**
 * Quoted-printable lines never start with "." here: a leading dot is written "=2E" (RFC 2045 §6.7 rule 1), so
 * SMTP's dot-stuffing (RFC 5321 §4.5.2) has nothing to insert, and a message leaves as the bytes it was
 * built as. Lines are wrapped at 73 characters so that the two the escape adds, and a joining soft break,
 * still fit in 76.
 */
const QP_WIDTH = 73;
const LEADING_DOT = /(^|\n)\./g;
// Most text has no line that starts with a dot: two native searches, and the replacement only when one does.
const noLeadingDot = (qp: string) => (qp.charCodeAt(0) !== 0x2e && !qp.includes('\n.') ? qp : qp.replace(LEADING_DOT, '$1=2E'));

/** A stretch of quoted-printable body (a digest's block, already encoded), split into fixed text and slots. */
export function compileFragment(encoded: string): Segment[] {
  const segments = segmentsOf(encoded, () => 'quoted-printable');
  // Fixed text after a slot starts a line of its own (the slot's value ends with a soft break).
  return segments.map((s, i) => (typeof s === 'string' && i > 0 && typeof segments[i - 1] !== 'string' ? noLeadingDot(s) : s));
}

/** Encodes body text as quoted-printable with CRLF line ends: a fragment that may be joined to others. */
export function encodeFragment(text: string): string {
  return noLeadingDot(qpWrap(qpEncode(text), QP_WIDTH).replace(/\r?\n/g, '\r\n'));
}

// Printable ASCII other than "=" (no space: trailing ones would need encoding) is its own quoted-printable
// encoding (RFC 2045, 6.7 rule 2): links, places and tokens skip the encoder; anything else goes through it.
const QP_LITERAL = /^[\x21-\x3c\x3e-\x7e]*$/;
/**
 * Such a value longer than a line (a reader's link) is cut every QP_WIDTH - 1 characters with a soft line
 * break (RFC 2045 §6.7 rule 5): with no escape in it, no cut can split one. nodemailer's `wrap` looks for
 * a nicer place to cut with a regular expression per line, for the same decoded text; these are a digest's
 * most frequent values (two links per entry and part).
 */
const softBreaks = (literal: string) => {
  if (literal.length <= QP_WIDTH) return literal;
  let out = literal.slice(0, QP_WIDTH - 1);
  for (let i = QP_WIDTH - 1; i < literal.length; i += QP_WIDTH - 1) out += `=\r\n${literal.slice(i, i + QP_WIDTH - 1)}`;
  return out;
};
const quotedPrintable = (value: string) => noLeadingDot(QP_LITERAL.test(value) ? softBreaks(value) : qpWrap(qpEncode(value), QP_WIDTH));

/**
 * Appends segments with their values to `out`, in order; a value missing, or with a line break where none
 * may be, throws. Only the encoded bodies (textBody, htmlBody) may be given as pieces (see Value).
 */
export function fillInto(out: string[], segments: readonly Segment[], values: Partial<Record<Name, Value>>): void {
  for (const s of segments) {
    if (typeof s === 'string') {
      out.push(s);
      continue;
    }
    const value = values[s.slot];
    if (value === undefined) throw new Error(`slot ${s.slot} has no value`);
    if (RAW.has(s.slot)) {
      if (typeof value === 'string') out.push(value);
      else if (typeof value === 'function') value(out);
      else for (const piece of value) out.push(piece);
      continue;
    }
    if (typeof value !== 'string') throw new Error(`slot ${s.slot} takes text, not pieces`);
    // An encoded, folded Subject: every line break is a fold (CRLF, then a space).
    if (s.slot === 'subject' && s.encoding === 'header') {
      if (/\r(?!\n )|(?<!\r)\n|\n(?! )/.test(value)) throw new Error('slot subject must be folded with CRLF and a space only');
      out.push(value);
      continue;
    }
    if (/[\r\n]/.test(value)) throw new Error(`slot ${s.slot} must not contain a line break`);
    // Soft breaks around the value keep every QP line within 76 characters.
    if (s.encoding === 'quoted-printable') out.push('=\r\n', quotedPrintable(value), '=\r\n');
    else out.push(value);
  }
}

/** Splits composed message text into fixed text and slots. */
export function compileTemplate(source: string): MimeTemplate {
  const headerEnd = source.indexOf('\r\n\r\n');
  const segments = segmentsOf(source, (index) => encodingAt(source, index, headerEnd));
  const pieces = (values: Partial<Record<Name, Value>>) => {
    const out: string[] = [];
    fillInto(out, segments, values);
    return out;
  };
  return { source, pieces, fill: (values) => pieces(values).join('') };
}

/** Composes the message once with nodemailer, with placeholders where each reader's values go. */
export async function buildMimeTemplate(spec: MessageSpec): Promise<MimeTemplate> {
  const composer = new MailComposer({
    from: spec.from,
    to: SLOT.to,
    subject: spec.subject,
    text: spec.quotedPrintable ? { content: spec.text, contentTransferEncoding: 'quoted-printable' } : spec.text,
    html: spec.quotedPrintable ? { content: spec.html, contentTransferEncoding: 'quoted-printable' } : spec.html,
    messageId: `<${SLOT.messageId}>`,
    headers: spec.listUnsubscribe
      ? { ...spec.headers, 'List-Unsubscribe': `<${SLOT.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      : { ...spec.headers },
    textEncoding: 'quoted-printable',
  });
  const built = await composer.compile().build();
  // Each reader gets the date of their own send, not of the build. Their unsubscribe URL (long with a long
  // PUBLIC_URL) starts on a folded line of its own, as in RFC 8058's examples, so the header line stays short.
  const source = built
    .toString('utf8')
    .replace(/^Date: .*$/m, `Date: ${SLOT.date}`)
    .replace(/^List-Unsubscribe: </m, 'List-Unsubscribe:\r\n <');
  return compileTemplate(source);
}

/** A plain-text message to one person (an operator's alert), composed by nodemailer. */
export async function composePlainMessage(m: { from: string; to: string; subject: string; text: string; messageId: string }): Promise<string> {
  const built = await new MailComposer({ from: m.from, to: m.to, subject: m.subject, text: m.text, messageId: `<${m.messageId}>`, textEncoding: 'quoted-printable' }).compile().build();
  return built.toString('utf8');
}
