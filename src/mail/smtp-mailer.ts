import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { DkimConfig } from '../config-dkim.js';
import { createDkimSigner } from './dkim.js';
import type { Mailer, SendOutcome, SendPace } from './mailer.js';
import { createPiecesReadiness, isSmtpDataReady, SmtpDataReady } from './smtp-data.js';
import { classifySmtpFailure, type SmtpFailure } from './smtp-outcome.js';

/** A nodemailer failure as a SendOutcome; anything that is not an Error is a transport failure. */
function outcomeOfError(err: unknown): SendOutcome {
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as SmtpFailure;
  return { ok: false, ...classifySmtpFailure(e) };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

/** An idle connection is closed by us after this long, well before the 5 minutes RFC 5321 §4.5.3.2.7 asks servers to wait. */
const IDLE_MS = 60_000;

type SmtpError = Error & SmtpFailure;
const failure = (message: string, code: string, command: string): SmtpError => Object.assign(new Error(message), { code, command });
/** The server went away or said 421: the session is over, not the message's fault (nodemailer's isTransientError). */
const transient = (e: SmtpFailure) => e.responseCode === 421 || e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'ETIMEDOUT';

interface Session {
  connection: SMTPConnection;
  /** The server, the socket or we ended it; it is never handed out again. */
  over: boolean;
  idle: NodeJS.Timeout | null;
  /** Fails the send in flight: `SMTPConnection.close()` drops its callback, so a session we end answers it. */
  abort: ((err: SmtpError) => void) | null;
}

/**
 * SMTP through nodemailer's `SMTPConnection`, in a pool of `poolSize` sessions, behind the Mailer interface.
 *
 * Each message goes to the connection as one Buffer: nodemailer's `sendMail` pipeline (a MIME tree over the
 * raw message, its streams and ids) cost twice the CPU for a prebuilt message (docs/scaling.md). What the
 * connection does is unchanged: STARTTLS, AUTH, SIZE, SMTPUTF8, dot-stuffing and the final dot are
 * `SMTPConnection`'s (a message with nothing to stuff skips only its byte loop: `SmtpDataReady`). DKIM
 * signatures (mail/dkim.ts) are computed from the message's pieces and go in front of them.
 *
 * Certificates are verified, except on loopback, where a local relay or catcher commonly offers STARTTLS with
 * a self-signed certificate and TLS protects nothing. Query options such as `?tls.rejectUnauthorized=false`
 * still apply.
 *
 * A failure is reported as the server or socket gave it (mail/smtp-outcome.ts classifies it). The one retry
 * made here: a reused session that the server closed or answered 421 at MAIL FROM, before the message was
 * offered, is tried once on a new session, as nodemailer's own pool does.
 *
 * With a pace (SEND_RATE), each message waits for its turn once its session is ready, just before it is
 * handed over: a turn is never spent waiting for a connection, so turns reach the server as they were given.
 * Digests, retries and transactional mail alike count against it.
 */
export function createSmtpMailer(url: string, opts: { poolSize: number; dkim?: DkimConfig | null; pace?: SendPace | null }): Mailer {
  const parsed = parseConnectionUrl(url) as SMTPConnection.Options & { auth?: { user: string; pass: string } };
  const loopback = LOOPBACK.test(new URL(url).hostname);
  const piecesSmtpDataReady = createPiecesReadiness();
  const { auth, ...fromUrl } = parsed;
  const options: SMTPConnection.Options = {
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    ...fromUrl,
    tls: { ...(loopback ? { rejectUnauthorized: false } : {}), ...fromUrl.tls },
  };
  const signer = opts.dkim ? createDkimSigner(opts.dkim) : null;

  // Send buffers, reused: a fresh 60 KB Buffer per message is memory outside V8's heap, which it reclaims
  // with full collections. A buffer comes back only after the server accepted its message, when the socket
  // surely holds no part of it; after a failure it is left to the collector.
  const buffers: Buffer[] = [];
  const idle: Session[] = [];
  const open = new Set<Session>();
  let free = opts.poolSize;
  const waiting: (() => void)[] = [];
  let closed = false;

  const acquireSlot = () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
  const releaseSlot = () => (waiting.length ? waiting.shift()!() : void free++);

  const end = (s: Session, why?: SmtpError) => {
    s.over = true;
    if (s.idle) clearTimeout(s.idle);
    open.delete(s);
    const i = idle.indexOf(s);
    if (i >= 0) idle.splice(i, 1);
    if (why) s.abort?.(why);
    // Without a reason, a tick later: the connection may still answer the send with the server's own reply
    // (a 421 ends the session first, then fails the send with it).
    else setImmediate(() => s.abort?.(failure('Connection closed before the server answered', 'ECONNECTION', 'CONN')));
  };
  /** Ends a session at once (a failure, or the mailer closing under a send). */
  const retire = (s: Session) => {
    end(s);
    s.connection.close();
  };
  /** Ends an idle session politely, with QUIT. */
  const quit = (s: Session) => {
    end(s);
    s.connection.quit();
  };
  const release = (s: Session) => {
    if (s.over || closed) return retire(s);
    s.idle = setTimeout(() => quit(s), IDLE_MS);
    s.idle.unref();
    idle.push(s);
  };

  /** A new session: connected, upgraded by STARTTLS when offered, logged in when the URL has credentials. */
  function connect(): Promise<Session> {
    return new Promise((resolve, reject) => {
      const connection = new SMTPConnection(options);
      const s: Session = { connection, over: false, idle: null, abort: null };
      open.add(s);
      let settled = false;
      const fail = (err: SmtpError) => {
        end(s);
        if (settled) return;
        settled = true;
        connection.close();
        reject(err);
      };
      // After the session is up, an error or an end retires it and fails the send in flight with it.
      connection.on('error', (err: SmtpError) => (settled ? end(s, err) : fail(err)));
      connection.once('end', () => fail(failure('Connection closed', 'ECONNECTION', 'CONN')));
      connection.connect((err?: SmtpError | null) => {
        if (settled) return;
        if (err) return fail(err);
        const ready = () => {
          settled = true;
          resolve(s);
        };
        if (!auth || !connection.allowsAuth) return ready();
        connection.login(auth, (loginErr) => (loginErr ? fail(loginErr as SmtpError) : ready()));
      });
    });
  }

  /** Sends one message on one session; the session goes back to the pool only when it is sure to be usable. */
  function sendOn(s: Session, envelope: { from: string; to: string }, message: Buffer, ready: boolean): Promise<{ response: string }> {
    return new Promise((resolve, reject) => {
      const body = ready ? new SmtpDataReady(message) : message;
      s.abort = (err) => {
        s.abort = null;
        reject(err);
      };
      s.connection.send({ from: envelope.from, to: [envelope.to], size: message.length }, body, (err, info) => {
        if (!s.abort) return; // the session was ended under it, and the send already failed
        s.abort = null;
        if (!err) {
          release(s);
          return resolve({ response: String(info?.response ?? '') });
        }
        const e = err as SmtpError;
        // Refused at RCPT or after DATA: the session is fine once reset (and counts against the pool until
        // then). Anything else ends it. A session that ends during RSET answers nothing to it: `abort` settles.
        if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !s.over) {
          s.abort = () => {
            s.abort = null;
            reject(e);
          };
          s.connection.reset((resetErr) => {
            if (!s.abort) return;
            s.abort = null;
            if (resetErr) retire(s);
            else release(s);
            reject(e);
          });
        } else {
          retire(s);
          reject(e);
        }
      });
    });
  }

  async function take(): Promise<{ session: Session; reused: boolean }> {
    for (let s = idle.pop(); s; s = idle.pop()) {
      if (s.idle) clearTimeout(s.idle);
      s.idle = null;
      if (!s.over) return { session: s, reused: true };
    }
    return { session: await connect(), reused: false };
  }

  return {
    async sendRaw(envelope, raw) {
      if (closed) return outcomeOfError(failure('the mailer is closed', 'ECONNECTION', 'API'));
      await acquireSlot();
      // Signed here, once per message, whatever the retries: the signature is a piece in front of the others.
      const signed = signer ? signer.sign(raw) : raw;
      const pieces = typeof signed === 'string' ? [signed] : signed;
      let size = 0;
      for (const piece of pieces) size += Buffer.byteLength(piece);
      let buffer = buffers.pop();
      if (!buffer || buffer.length < size) buffer = Buffer.allocUnsafeSlow(Math.max(size, 128 * 1024));
      let length = 0;
      for (const piece of pieces) length += buffer.write(piece, length);
      const message = buffer.subarray(0, length);
      // A digest comes in pieces, most of them the edition's own text: read from those, not byte by byte.
      const ready = typeof signed === 'string' ? isSmtpDataReady(message) : piecesSmtpDataReady(signed);
      try {
        for (let attempt = 0; ; attempt++) {
          // Closed while this message waited for a slot: it is not sent.
          if (closed) return outcomeOfError(failure('the mailer is closed', 'ECONNECTION', 'API'));
          let taken: { session: Session; reused: boolean };
          try {
            taken = await take();
            if (opts.pace) {
              try {
                await opts.pace.take(envelope.to);
              } catch (err) {
                release(taken.session);
                // Without the shared count the rate cannot be kept: the message waits (our fault, never the reader's).
                const response = `not sent: the send-rate store did not answer (${(err as Error).message.slice(0, 200)})`;
                return { ok: false, class: 'transport', response, signature: 'send-rate store' };
              }
              // The server may have ended the session during the wait.
              if (taken.session.over) taken = { session: await connect(), reused: false };
            }
          } catch (err) {
            return outcomeOfError(err);
          }
          try {
            const { response } = await sendOn(taken.session, envelope, message, ready);
            buffers.push(buffer);
            return { ok: true, response };
          } catch (err) {
            const e = err as SmtpError;
            if (attempt === 0 && taken.reused && e.command === 'MAIL FROM' && transient(e) && !closed) continue;
            return outcomeOfError(e);
          }
        }
      } finally {
        releaseSlot();
      }
    },
    async verify() {
      quit(await connect());
    },
    async close() {
      closed = true;
      for (const s of [...open]) (idle.includes(s) ? quit(s) : retire(s));
    },
  };
}
