import { EventEmitter } from 'node:events';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface CaughtMail {
  envelopeTo: string[];
  raw: Buffer;
  /** When the message was received (ms since the epoch). */
  at: number;
  /** When its transaction began, at MAIL FROM (ms since the epoch): the nearest the sink sees to a sender's turn. */
  startedAt: number;
  parsed: ParsedMail;
}

/** Decides the answer to RCPT TO for an address: undefined accepts; otherwise an SMTP code and message. */
type RcptRule = (address: string) => { code: number; message: string } | undefined;

/** A real SMTP server in-process that keeps and parses what it receives. */
export interface SmtpSink {
  readonly url: string;
  readonly messages: CaughtMail[];
  setRule(rule: RcptRule | null): void;
  /** Resolves once `predicate` holds over the messages, re-checked on each arrival. */
  waitFor(predicate: (m: CaughtMail[]) => boolean, timeoutMs?: number): Promise<CaughtMail[]>;
  to(address: string): CaughtMail[];
  close(): Promise<void>;
}

/** A header's raw value (mailparser folds List-* headers into one object; this reads the line itself). */
export function header(mail: CaughtMail, key: string): string | undefined {
  const line = mail.parsed.headerLines.find((l) => l.key === key.toLowerCase())?.line;
  return line?.slice(line.indexOf(':') + 1).replace(/\r?\n\s+/g, ' ').trim();
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: CaughtMail[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(100);
  let rule: RcptRule | null = null;
  const started = new WeakMap<object, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, session, cb) {
      started.set(session, Date.now());
      cb();
    },
    onRcptTo(address: SMTPServerAddress, _session, cb) {
      const r = rule?.(address.address);
      if (!r) return cb();
      const err = new Error(r.message) as Error & { responseCode: number };
      err.responseCode = r.code;
      cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const at = Date.now();
        const startedAt = started.get(session) ?? at;
        messages.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, at, startedAt, parsed: await simpleParser(raw) });
        cb();
        events.emit('mail');
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    setRule(r) {
      rule = r;
    },
    to: (address) => messages.filter((m) => m.envelopeTo.some((e) => e.toLowerCase() === address.toLowerCase())),
    waitFor(predicate, timeoutMs = 20_000) {
      return new Promise((res, rej) => {
        const check = () => {
          if (!predicate(messages)) return;
          cleanup();
          res(messages);
        };
        const timer = setTimeout(() => {
          cleanup();
          rej(new Error(`timed out waiting for mail; have ${messages.length} message(s): ${messages.map((m) => `${m.envelopeTo} ${m.parsed.subject}`).join('; ')}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          events.off('mail', check);
        };
        events.on('mail', check);
        check();
      });
    },
    close: () => new Promise((res) => server.close(() => res())),
  };
}
