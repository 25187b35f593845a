import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { generateCanonicalizedHeader } from 'mailauth/lib/dkim/header/index.js';
import { formatSignatureHeaderLine, getSigningHeaderLines, parseHeaders } from 'mailauth/lib/tools.js';
import type { DkimConfig } from '../config-dkim.js';
import type { RawMessage } from './mailer.js';

/** The headers every signature covers (h=): the identity of the message, and both RFC 8058 unsubscribe headers. */
const DKIM_SIGNED_HEADERS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:List-Id:List-Unsubscribe:List-Unsubscribe-Post:Feedback-ID';

/** Pieces at least this long are the edition's own text: canonicalized once, and remembered. */
const KEPT_FROM = 256;
const KEPT_PIECES = 4096;
const CRLF = '\r\n';

/**
 * A run of whole lines in relaxed body canonicalization (RFC 6376 §3.4.4), split so that it can be joined
 * with its neighbours: the empty lines it starts with, the canonical text from its first non-empty line to
 * its last (each line ending in CRLF), and the empty lines it ends with. Empty lines are held back until
 * something follows them, because those at the end of the body are not hashed.
 */
interface Lines {
  lead: number;
  /** In a remembered piece, UTF-8 already: the hash takes the bytes as they are, with no conversion per message. */
  core: string | Buffer;
  trail: number;
}

/** A piece of the body: the text before its first line break, its whole lines, and the text after its last. */
interface Piece {
  head: string;
  lines: Lines | null;
  tail: string;
}

/** Relaxed canonicalization of whole lines: every run of spaces and tabs one space, none at a line's end; CRLF line ends. */
function canonicalLines(text: string): Lines {
  const c = text.replace(/[ \t]+(?=\r?\n)/g, '').replace(/[ \t]+/g, ' ').replace(/\r?\n/g, CRLF);
  let start = 0;
  let lead = 0;
  while (c.startsWith(CRLF, start)) (start += 2), lead++;
  if (start === c.length) return { lead, core: '', trail: 0 };
  let end = c.length;
  let trail = 0;
  while (end - 4 >= start && c.charCodeAt(end - 3) === 0x0a && c.charCodeAt(end - 4) === 0x0d) (end -= 2), trail++;
  return { lead, core: c.slice(start, end), trail };
}

/** One line without its line break, canonicalized (an empty string for an empty line). */
const canonicalLine = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line).replace(/[ \t]+$/, '').replace(/[ \t]+/g, ' ');

function pieceOf(text: string): Piece | string {
  const first = text.indexOf('\n');
  if (first < 0) return text;
  const last = text.lastIndexOf('\n');
  return { head: text.slice(0, first), lines: last > first ? canonicalLines(text.slice(first + 1, last + 1)) : null, tail: text.slice(last + 1) };
}

/**
 * The body hash (bh=) of a message's body given as pieces, in relaxed canonicalization with SHA-256. The
 * long pieces (the edition's encoded parts, the same for every reader) are canonicalized once and
 * remembered; per message only the joints, the reader's own words and the native hash are left.
 */
function createBodyHasher() {
  const known = new Map<string, Piece | string>();
  const analysed = (text: string) => {
    if (text.length < KEPT_FROM) return pieceOf(text);
    let p = known.get(text);
    if (p === undefined) {
      if (known.size >= KEPT_PIECES) known.clear();
      p = pieceOf(text);
      if (typeof p !== 'string' && p.lines) p.lines.core = Buffer.from(p.lines.core);
      known.set(text, p);
    }
    return p;
  };
  return function bodyHash(pieces: readonly string[], from: number, firstText: string): string {
    const hash = createHash('sha256');
    let held = 0;
    let carry = '';
    const emit = (core: string | Buffer) => {
      if (held) hash.update(CRLF.repeat(held));
      held = 0;
      hash.update(core);
    };
    const line = (text: string) => {
      const c = canonicalLine(text);
      if (c) emit(c + CRLF);
      else held++;
    };
    for (let i = from; i < pieces.length; i++) {
      const p = analysed(i === from ? firstText : pieces[i]!);
      if (typeof p === 'string') {
        carry += p;
        continue;
      }
      line(carry + p.head);
      if (p.lines) {
        held += p.lines.lead;
        if (p.lines.core.length) emit(p.lines.core);
        held += p.lines.trail;
      }
      carry = p.tail;
    }
    // A last line without its line break gets one; the empty lines at the end are never hashed.
    if (carry) line(carry);
    return hash.digest('base64');
  };
}

/** The last character of a message given as pieces (-1 when it is empty). */
function last(pieces: readonly string[]): number {
  for (let i = pieces.length - 1; i >= 0; i--) if (pieces[i]!.length) return pieces[i]!.charCodeAt(pieces[i]!.length - 1);
  return -1;
}

/** One signing key: its selector (s=), algorithm (a=) and the parsed private key. */
interface SigningKey {
  selector: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  key: KeyObject;
}

/** The keys that sign at `now`: RSA (the next one from its date on), and Ed25519 beside it when configured (RFC 8463). */
function keysAt(dkim: DkimConfig, keys: { rsa: SigningKey | null; next: SigningKey | null; ed25519: SigningKey | null }, now: Date): SigningKey[] {
  const rsa = keys.next && dkim.next && now >= dkim.next.from ? keys.next : keys.rsa;
  return [rsa, keys.ed25519].filter((k): k is SigningKey => k !== null);
}

/** Signs messages for `dkim`'s domain; the DKIM-Signature header lines come first in the returned message. */
export interface DkimSigner {
  /** The message with its DKIM-Signature header(s) in front: a new first piece, the pieces themselves kept as they are. */
  sign(raw: RawMessage): RawMessage;
}

/**
 * DKIM signing (RFC 6376, relaxed/relaxed; RFC 8463 for Ed25519) of messages that come in pieces. The body
 * hash is computed here from cached canonical pieces with Node's native SHA-256; choosing the signed header
 * fields, canonicalizing them and laying out the DKIM-Signature is mailauth's, and the signature Node's
 * crypto with keys parsed once. Every signature covers DKIM_SIGNED_HEADERS (both unsubscribe headers).
 */
export function createDkimSigner(dkim: DkimConfig, now: () => Date = () => new Date()): DkimSigner {
  const rsa = (selector: string, pem: string): SigningKey => ({ selector, algorithm: 'rsa-sha256', key: createPrivateKey(pem) });
  const keys = {
    rsa: dkim.keySelector && dkim.privateKey ? rsa(dkim.keySelector, dkim.privateKey) : null,
    next: dkim.next ? rsa(dkim.next.keySelector, dkim.next.privateKey) : null,
    ed25519: dkim.ed25519 ? { selector: dkim.ed25519.keySelector, algorithm: 'ed25519-sha256' as const, key: createPrivateKey(dkim.ed25519.privateKey) } : null,
  };
  const bodyHash = createBodyHasher();
  // The header section ends at the first empty line; it is met in a piece of the frame, the same for every message.
  const splits = new Map<string, { head: string; body: string } | null>();
  const splitOf = (piece: string) => {
    let s = splits.get(piece);
    if (s === undefined) {
      const at = piece.indexOf('\r\n\r\n');
      s = at < 0 ? null : { head: piece.slice(0, at + 2), body: piece.slice(at + 4) };
      if (piece.length >= KEPT_FROM) {
        if (splits.size >= KEPT_PIECES) splits.clear();
        splits.set(piece, s);
      }
    }
    return s;
  };
  return {
    sign(raw) {
      const pieces = typeof raw === 'string' ? [raw] : raw;
      let header = '';
      let i = 0;
      let split: { head: string; body: string } | null = null;
      for (; i < pieces.length; i++) {
        const piece = pieces[i]!;
        // The empty line may begin in the pieces before this one ("…\r\n" then "\r\n…"): the joint first.
        const tail = header.slice(-3);
        const at = tail ? (tail + piece.slice(0, 3)).indexOf('\r\n\r\n') : -1;
        if (at >= 0) {
          const start = at + 4 - tail.length;
          split = { head: piece.slice(0, start), body: piece.slice(start) };
          break;
        }
        if ((split = splitOf(piece))) break;
        header += piece;
      }
      if (!split) throw new Error('DKIM: the message has no body (no empty line after its headers)');
      header += split.head;
      const bh = bodyHash(pieces, i, split.body);
      const lines = getSigningHeaderLines(parseHeaders(Buffer.from(header, 'utf8')).parsed, DKIM_SIGNED_HEADERS);
      const at = now();
      const timestamp = Math.floor(at.getTime() / 1000);
      const signatures = keysAt(dkim, keys, at).map((k) => {
        const { canonicalizedHeader, dkimHeaderOpts } = generateCanonicalizedHeader('DKIM', lines, {
          signingDomain: dkim.domainName,
          selector: k.selector,
          algorithm: k.algorithm,
          canonicalization: 'relaxed/relaxed',
          bodyHash: bh,
          timestamp,
          expiration: false,
        });
        // RFC 8463 §3: Ed25519 signs the SHA-256 of the canonical headers; RSA hashes them itself.
        const b = k.algorithm === 'rsa-sha256' ? sign('sha256', canonicalizedHeader, k.key) : sign(null, createHash('sha256').update(canonicalizedHeader).digest(), k.key);
        return formatSignatureHeaderLine('DKIM', { ...dkimHeaderOpts, b: b.toString('base64') }, true);
      });
      // SMTP ends the message with a line break when it lacks one; it is added here, so that every verifier
      // sees the bytes that were signed (they differ on the blanks of a last line without one).
      const end = last(pieces);
      return [signatures.join(CRLF) + CRLF, ...pieces, ...(end === 0x0a ? [] : end === 0x0d ? ['\n'] : [CRLF])];
    },
  };
}

/** A TXT record a DKIM key needs in DNS: where, what, and which setting holds the private half. */
export interface DkimRecord {
  name: string;
  value: string;
  /** The public key (p=), to find in what DNS publishes. */
  publicKey: string;
  setting: 'DKIM_PRIVATE_KEY' | 'DKIM_ED25519_PRIVATE_KEY' | 'DKIM_PRIVATE_KEY_NEXT';
  /** The next key's: from when it signs (its record must be published before). */
  from?: Date;
}

/**
 * The records to publish for every configured key: `SELECTOR._domainkey.DOMAIN` with `v=DKIM1; k=rsa; p=…`
 * (the SubjectPublicKeyInfo, RFC 6376 §3.6.1), or `k=ed25519; p=…` (the bare 32-byte key, RFC 8463 §4.2).
 */
export function dkimRecords(dkim: DkimConfig): DkimRecord[] {
  const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
  const record = (selector: string, k: 'rsa' | 'ed25519', pem: string, setting: DkimRecord['setting']) => {
    const der = spki(pem);
    const publicKey = (k === 'rsa' ? der : der.subarray(der.length - 32)).toString('base64');
    return { name: `${selector}._domainkey.${dkim.domainName}`, value: `v=DKIM1; k=${k}; p=${publicKey}`, publicKey, setting };
  };
  return [
    ...(dkim.keySelector && dkim.privateKey ? [record(dkim.keySelector, 'rsa', dkim.privateKey, 'DKIM_PRIVATE_KEY')] : []),
    ...(dkim.ed25519 ? [record(dkim.ed25519.keySelector, 'ed25519', dkim.ed25519.privateKey, 'DKIM_ED25519_PRIVATE_KEY')] : []),
    ...(dkim.next ? [{ ...record(dkim.next.keySelector, 'rsa', dkim.next.privateKey, 'DKIM_PRIVATE_KEY_NEXT'), from: dkim.next.from }] : []),
  ];
}

/** A TXT value as a zone file writes it: in quoted strings of at most 255 characters (RFC 1035 §3.3.14). */
export function zoneLine(r: Pick<DkimRecord, 'name' | 'value'>): string {
  const strings = r.value.match(/.{1,255}/g) ?? [''];
  return `${r.name}. IN TXT ( ${strings.map((x) => `"${x}"`).join(' ')} )`;
}
