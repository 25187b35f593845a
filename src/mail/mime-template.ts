import MailComposer from 'nodemailer/lib/mail-composer';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/** Per-reader values substituted into a prebuilt message. */
export interface Slots {
  to: string;
  messageId: string;
  date: string;
  /** The reader's one-click unsubscribe URL (body and List-Unsubscribe header). */
  unsubscribeUrl?: string;
  /** The reader's preference center. */
  preferencesUrl?: string;
  /** The link a transactional mail asks the reader to open (confirm, and the like). */
  actionUrl?: string;
  /** Per paper of a digest, in list order: the reader's feedback link for it (feedbackSlot(i) in the render). */
  feedback?: readonly string[];
}
type SlotName = Exclude<keyof Slots, 'feedback'>;

/** Placeholders that survive MIME encoding unchanged: lower-case letters only. */
export const SLOT: Readonly<Record<SlotName, string>> = {
  to: 'pmslotto@pmslot.invalid',
  messageId: 'pmslotmsgid@pmslot.invalid',
  date: 'pmslotdate',
  unsubscribeUrl: 'https://pmslot.invalid/pmslotunsubscribeurl',
  preferencesUrl: 'https://pmslot.invalid/pmslotpreferencesurl',
  actionUrl: 'https://pmslot.invalid/pmslotactionurl',
};

const FEEDBACK_SLOT = 'https://pmslot.invalid/pmslotfb';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** The placeholder of paper i's feedback link (i < 676): two letters name the place. */
export function feedbackSlot(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= LETTERS.length ** 2) throw new Error(`no feedback slot ${i}`);
  return `${FEEDBACK_SLOT}${LETTERS[Math.floor(i / LETTERS.length)]}${LETTERS[i % LETTERS.length]}`;
}

export interface MessageSpec {
  from: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers (List-Id and the like), fixed for every reader. */
  headers?: Record<string, string>;
  /** Adds List-Unsubscribe (with the reader's URL) and RFC 8058 List-Unsubscribe-Post. */
  listUnsubscribe?: boolean;
}

/** A message composed once; `fill` makes one reader's raw RFC 5322 message by substitution. */
export interface MimeTemplate {
  readonly source: string;
  fill(values: Slots): string;
}

type Encoding = 'header' | '7bit' | 'quoted-printable';
type Segment = string | { slot: SlotName; encoding: Encoding } | { slot: 'feedback'; index: number; encoding: Encoding };

// QP may fold a placeholder with a soft line break (=CRLF) anywhere, so match with one allowed between any two characters.
const slotPattern = (placeholder: string) =>
  placeholder
    .split('')
    .map((c) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('(?:=\\r\\n)?');

const SOFT = '(?:=\\r\\n)?';
const ALL = new RegExp(
  [
    ...(Object.keys(SLOT) as SlotName[]).map((name) => `(?<${name}>${slotPattern(SLOT[name])})`),
    `(?<feedback>${slotPattern(FEEDBACK_SLOT)}${SOFT}(?<fb1>[a-z])${SOFT}(?<fb2>[a-z]))`,
  ].join('|'),
  'g',
);

function encodingAt(source: string, index: number, headerEnd: number): 'header' | '7bit' | 'quoted-printable' {
  if (index < headerEnd) return 'header';
  const before = source.slice(0, index);
  const matches = [...before.matchAll(/^Content-Transfer-Encoding:\s*([\w-]+)/gim)];
  const enc = matches.at(-1)?.[1]?.toLowerCase() ?? '7bit';
  if (enc === 'quoted-printable' || enc === '7bit' || enc === '8bit') return enc === 'quoted-printable' ? enc : '7bit';
  throw new Error(`a slot sits in a ${enc} part, where it cannot be substituted`);
}

/** Splits composed message text into fixed text and slots. */
export function compileTemplate(source: string): MimeTemplate {
  const headerEnd = source.indexOf('\r\n\r\n');
  const segments: Segment[] = [];
  let last = 0;
  for (const m of source.matchAll(ALL)) {
    const g = m.groups!;
    const encoding = encodingAt(source, m.index, headerEnd);
    if (g.feedback !== undefined) {
      segments.push(source.slice(last, m.index), { slot: 'feedback', index: LETTERS.indexOf(g.fb1!) * LETTERS.length + LETTERS.indexOf(g.fb2!), encoding });
    } else {
      const slot = (Object.keys(SLOT) as SlotName[]).find((k) => g[k] !== undefined)!;
      segments.push(source.slice(last, m.index), { slot, encoding });
    }
    last = m.index + m[0].length;
  }
  segments.push(source.slice(last));
  return {
    source,
    fill(values) {
      let out = '';
      for (const s of segments) {
        if (typeof s === 'string') {
          out += s;
          continue;
        }
        const value = 'index' in s ? values.feedback?.[s.index] : values[s.slot];
        if (value === undefined) throw new Error(`slot ${s.slot}${'index' in s ? ` ${s.index}` : ''} has no value`);
        if (/[\r\n]/.test(value)) throw new Error(`slot ${s.slot} must not contain a line break`);
        // Soft breaks around the value keep every QP line within 76 characters.
        out += s.encoding === 'quoted-printable' ? `=\r\n${qpWrap(qpEncode(value), 76)}=\r\n` : value;
      }
      return out;
    },
  };
}

/** Composes the message once with nodemailer, with placeholders where each reader's values go. */
export async function buildMimeTemplate(spec: MessageSpec): Promise<MimeTemplate> {
  const composer = new MailComposer({
    from: spec.from,
    to: SLOT.to,
    subject: spec.subject,
    text: spec.text,
    html: spec.html,
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
