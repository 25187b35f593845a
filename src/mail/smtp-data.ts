// The form SMTP's DATA carries a message in (RFC 5321 §4.5.2), and what lets a message already in it skip
// nodemailer's dot-stuffing loop: a check over its bytes, the same check over the pieces a digest is joined
// from, and the stream that hands such a message to `SMTPConnection` as it is.
import { Readable, Transform } from 'node:stream';

/**
 * Whether a message is already in the form SMTP's DATA carries it (RFC 5321 §4.5.2): every line ends in CRLF,
 * there is no bare CR or LF, and no line starts with a dot, so dot-stuffing would change nothing. It walks
 * the line ends with Buffer's native `indexOf` (27-60 µs for a 60 KB digest) rather than every byte; a digest, which comes
 * in pieces, is told by `createPiecesReadiness`'s function for less.
 */
export function isSmtpDataReady(b: Buffer): boolean {
  const n = b.length;
  if (n < 2 || b[0] === 0x2e || b[n - 2] !== 0x0d || b[n - 1] !== 0x0a) return false;
  let lf = 0;
  for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1), lf++) {
    if (b[i - 1] !== 0x0d || b[i + 1] === 0x2e) return false;
  }
  // Every LF follows a CR; as many CRs as LFs means every CR is one of those.
  let cr = 0;
  for (let i = b.indexOf(0x0d); i !== -1; i = b.indexOf(0x0d, i + 1)) cr++;
  return cr === lf;
}

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
/**
 * Whether inside a piece of a message every CR is followed by LF, every LF follows a CR and no line starts
 * with a dot; a CR at its end, or an LF or a dot at its start, is for its neighbours to settle. CR, LF and "."
 * are ASCII, which no UTF-8 sequence of another character contains, so characters stand for bytes here.
 */
function innerReady(piece: string): boolean {
  const n = piece.length;
  for (let i = piece.indexOf('\n'); i !== -1; i = piece.indexOf('\n', i + 1)) {
    if ((i > 0 && piece.charCodeAt(i - 1) !== CR) || (i + 1 < n && piece.charCodeAt(i + 1) === DOT)) return false;
  }
  for (let i = piece.indexOf('\r'); i !== -1; i = piece.indexOf('\r', i + 1)) {
    if (i + 1 < n && piece.charCodeAt(i + 1) !== LF) return false;
  }
  return true;
}

/** Pieces at least this long are the edition's own text: looked at once, and remembered. */
const KEPT_FROM = 256;

/**
 * `isSmtpDataReady` of the message the pieces make, read from the pieces: the long ones (the edition's
 * text, shared by every reader's message) are looked at once and remembered (at most 4,096 of them, in case
 * long pieces were ever per reader), so each message costs only its own words, links and joints. The memory
 * is the returned function's own (one per mailer).
 */
export function createPiecesReadiness(): (pieces: readonly string[]) => boolean {
  const known = new Map<string, boolean>();
  return function piecesSmtpDataReady(pieces: readonly string[]): boolean {
    // The last character so far; -1 at the start of the message.
    let prev = -1;
    for (const piece of pieces) {
      if (!piece.length) continue;
      const first = piece.charCodeAt(0);
      // The joint: CR then LF, and a line that starts here does not start with a dot.
      if (prev === CR ? first !== LF : first === LF) return false;
      if ((prev === LF || prev === -1) && first === DOT) return false;
      let ready: boolean | undefined;
      if (piece.length < KEPT_FROM) ready = innerReady(piece);
      else if ((ready = known.get(piece)) === undefined) {
        if (known.size >= 4096) known.clear();
        known.set(piece, (ready = innerReady(piece)));
      }
      if (!ready) return false;
      prev = piece.charCodeAt(piece.length - 1);
    }
    // It ends with CRLF: an LF at the end had its CR checked where it stands.
    return prev === LF;
  };
}

/**
 * A message that `isSmtpDataReady` passed, as the stream `SMTPConnection.send` pipes into its dot-stuffing
 * `DataStream`. Its bytes cannot change in that stream, so all but the last line are handed to the stream's
 * readable side as they are, skipping the byte-by-byte loop (about 190 µs of CPU per 60 KB message, the top
 * frame of a sending worker); the last line goes through the stream as usual, so its end of data (".")
 * is still the stream's own. The bytes on the wire are the same either way (test/integration/smtp-mailer.test.ts
 * reads them). Anything but a Transform gets the whole message written to it.
 */
export class SmtpDataReady extends Readable {
  constructor(private readonly bytes: Buffer) {
    super();
  }
  override _read() {}
  override pipe<T extends NodeJS.WritableStream>(dest: T): T {
    const last = this.bytes.lastIndexOf(0x0a, this.bytes.length - 2) + 1;
    if (dest instanceof Transform && last > 0) {
      dest.push(this.bytes.subarray(0, last));
      dest.end(this.bytes.subarray(last));
    } else dest.end(this.bytes);
    return dest;
  }
}
