// The SMTP mailer against real smtp-server instances: STARTTLS with a self-signed certificate on loopback,
// and real answers at each phase (AUTH, MAIL FROM, RCPT TO, DATA, no server at all), classified by the one
// outcome policy through the error nodemailer really raises.
import { createServer, type AddressInfo, type Server } from 'node:net';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPiecesReadiness, isSmtpDataReady } from '../../src/mail/smtp-data.js';
import { createSmtpMailer } from '../../src/mail/smtp-mailer.js';
import { freePort } from '../../src/runtime/embedded-postgres.js';

const piecesSmtpDataReady = createPiecesReadiness();

let server: SMTPServer;
let port = 0;
const received: string[] = [];
const reply = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: false,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'right' && auth.password === 'secret') return cb(null, { user: 'right' });
      cb(reply(535, '5.7.8 Authentication credentials invalid'));
    },
    onMailFrom(address, _session, cb) {
      if (address.address.startsWith('unverified')) return cb(reply(553, '5.7.1 Sender address not verified'));
      cb();
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('gone')) return cb(reply(550, '5.1.1 No such user'));
      if (address.address.startsWith('later')) return cb(reply(451, '4.7.1 Try again later'));
      if (address.address.startsWith('denied')) return cb(reply(554, '5.7.1 Relay access denied'));
      cb();
    },
    onData(stream, session, cb) {
      stream.resume();
      stream.on('end', () => {
        if (session.envelope.rcptTo[0]!.address.startsWith('full')) return cb(reply(552, '5.2.2 Mailbox full'));
        received.push(`${session.secure ? 'tls' : 'plain'}:${session.envelope.rcptTo[0]!.address}`);
        cb();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const send = async (url: string, to: string, from = 'digest@papermail.test') => {
  const mailer = createSmtpMailer(url, { poolSize: 1 });
  try {
    return await mailer.sendRaw({ from, to }, 'Subject: x\r\n\r\nx\r\n');
  } finally {
    await mailer.close();
  }
};

describe('SMTP mailer', () => {
  it('upgrades to STARTTLS on loopback even with a self-signed certificate, and delivers', async () => {
    const outcome = await send(`smtp://127.0.0.1:${port}`, 'reader@example.org');
    expect(outcome).toMatchObject({ ok: true });
    expect(received).toContain('tls:reader@example.org');
  });

  it('classifies real answers by phase: only a dead mailbox is the reader\'s for good', async () => {
    const url = `smtp://localhost:${port}`;
    expect(await send(url, 'gone@example.org')).toMatchObject({ ok: false, class: 'dead', signature: '550 5.1.1' });
    expect(await send(url, 'later@example.org')).toMatchObject({ ok: false, class: 'temporary', signature: '451 4.7.1' });
    expect(await send(url, 'denied@example.org')).toMatchObject({ ok: false, class: 'refused', signature: '554 5.7.1' });
    expect(await send(url, 'full@example.org')).toMatchObject({ ok: false, class: 'refused', signature: '552 5.2.2' });
    // Our side: a wrong password, an unverified sender, no server listening.
    expect(await send(`smtp://right:wrong@localhost:${port}`, 'reader@example.org')).toMatchObject({ ok: false, class: 'transport', signature: '535 5.7.8' });
    expect(await send(url, 'reader@example.org', 'unverified@papermail.test')).toMatchObject({ ok: false, class: 'transport', signature: '553 5.7.1' });
    expect(await send(`smtp://127.0.0.1:${await freePort()}`, 'reader@example.org')).toMatchObject({ ok: false, class: 'transport' });
    expect(await send(`smtp://right:secret@localhost:${port}`, 'authed@example.org')).toMatchObject({ ok: true });
  });

  it('verifies the login at start, and says why it failed', async () => {
    const good = createSmtpMailer(`smtp://right:secret@localhost:${port}`, { poolSize: 1 });
    const bad = createSmtpMailer(`smtp://right:wrong@localhost:${port}`, { poolSize: 1 });
    await expect(good.verify()).resolves.toBeUndefined();
    await expect(bad.verify()).rejects.toThrow(/535/);
    await Promise.all([good.close(), bad.close()]);
  });
});

describe('SMTP mailer sessions', () => {
  // A second server that counts sessions, answers 421 at MAIL FROM to a session's second message when
  // told to, and can hold a message in DATA without answering.
  let pool: SMTPServer;
  let poolPort = 0;
  let sessions = 0;
  let openNow = 0;
  let mostOpen = 0;
  let closeAfterOne = false;
  const delivered: string[] = [];
  const bodies = new Map<string, string>();
  const held: (() => void)[] = [];

  beforeAll(async () => {
    pool = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect(_session, cb) {
        sessions++;
        mostOpen = Math.max(mostOpen, ++openNow);
        cb();
      },
      onClose() {
        openNow--;
      },
      onMailFrom(_address, session, cb) {
        if (closeAfterOne && session.transaction > 1) return cb(reply(421, '4.4.2 Idle too long, closing connection'));
        cb();
      },
      onRcptTo(address, _session, cb) {
        if (address.address.startsWith('gone')) return cb(reply(550, '5.1.1 No such user'));
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const to = session.envelope.rcptTo[0]!.address;
          bodies.set(to, Buffer.concat(chunks).toString('utf8'));
          if (to.startsWith('held')) return void held.push(() => cb());
          delivered.push(to);
          setTimeout(() => cb(), 5);
        });
      },
    });
    pool.on('error', () => {});
    await new Promise<void>((r) => pool.listen(0, '127.0.0.1', () => r()));
    poolPort = (pool.server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => pool.close(() => r())));

  const raw = 'Subject: x\r\n\r\nx\r\n';
  const from = 'digest@papermail.test';

  it('keeps sessions open across messages and refusals, never more than the pool size', async () => {
    sessions = 0;
    mostOpen = 0;
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${poolPort}`, { poolSize: 3 });
    const to = Array.from({ length: 30 }, (_, i) => (i % 10 === 3 ? `gone${i}@example.org` : `r${i}@example.org`));
    const outcomes = await Promise.all(to.map((t) => mailer.sendRaw({ from, to: t }, raw)));
    await mailer.close();
    expect(outcomes.filter((o) => o.ok)).toHaveLength(27);
    expect(outcomes.filter((o) => !o.ok && o.class === 'dead')).toHaveLength(3);
    // A refused recipient resets the session (RSET) and the session carries on: 3 sessions for 30 messages.
    expect(sessions).toBe(3);
    expect(mostOpen).toBe(3);
  });

  it('sends a message given as pieces as the pieces joined, a leading dot and all', async () => {
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${poolPort}`, { poolSize: 1 });
    const pieces = ['Subject: pieces\r\n', '\r\n', 'Ünïcode ', 'and\r\n', '.a line that starts with a dot\r\n'];
    expect(await mailer.sendRaw({ from, to: 'pieces@example.org' }, pieces)).toMatchObject({ ok: true });
    // A second, shorter message through the same reused buffer: nothing of the first is left in it.
    expect(await mailer.sendRaw({ from, to: 'short@example.org' }, 'Subject: s\r\n\r\nok\r\n')).toMatchObject({ ok: true });
    await mailer.close();
    expect(bodies.get('pieces@example.org')).toBe(pieces.join(''));
    expect(bodies.get('short@example.org')).toBe('Subject: s\r\n\r\nok\r\n');
  });

  it('a reused session the server ends (421 at MAIL FROM) is replaced, and the message still goes', async () => {
    sessions = 0;
    closeAfterOne = true;
    try {
      const mailer = createSmtpMailer(`smtp://127.0.0.1:${poolPort}`, { poolSize: 1 });
      expect(await mailer.sendRaw({ from, to: 'first@example.org' }, raw)).toMatchObject({ ok: true });
      expect(await mailer.sendRaw({ from, to: 'second@example.org' }, raw)).toMatchObject({ ok: true });
      await mailer.close();
      expect(sessions).toBe(2);
      expect(delivered).toContain('second@example.org');
    } finally {
      closeAfterOne = false;
    }
  });

  it('closing the mailer under an open transaction answers it as our fault, and sends nothing more', async () => {
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${poolPort}`, { poolSize: 2 });
    const pending = mailer.sendRaw({ from, to: 'held@example.org' }, raw);
    while (!held.length) await new Promise((r) => setTimeout(r, 10));
    await mailer.close();
    expect(await pending).toMatchObject({ ok: false, class: 'transport' });
    expect(await mailer.sendRaw({ from, to: 'after@example.org' }, raw)).toMatchObject({ ok: false, class: 'transport' });
    expect(delivered).not.toContain('after@example.org');
    for (const release of held.splice(0)) release();
  });
});

describe('SMTP mailer on the wire', () => {
  // A bare SMTP listener that keeps the DATA bytes exactly as they crossed the socket, dots and all
  // (smtp-server would undo the dot-stuffing before we could look).
  let wire: Server;
  let wirePort = 0;
  const captured: Buffer[] = [];

  beforeAll(async () => {
    wire = createServer((socket) => {
      let inData = false;
      let buf = Buffer.alloc(0);
      socket.write('220 wire ESMTP\r\n');
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          if (inData) {
            const end = buf.indexOf('\r\n.\r\n');
            if (end < 0) return;
            captured.push(buf.subarray(0, end + 5));
            buf = buf.subarray(end + 5);
            inData = false;
            socket.write('250 2.0.0 kept\r\n');
            continue;
          }
          const eol = buf.indexOf('\r\n');
          if (eol < 0) return;
          const line = buf.subarray(0, eol).toString('latin1').toUpperCase();
          buf = buf.subarray(eol + 2);
          if (line.startsWith('EHLO')) socket.write('250-wire\r\n250 8BITMIME\r\n');
          else if (line.startsWith('DATA')) {
            inData = true;
            socket.write('354 go ahead\r\n');
          } else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => wire.listen(0, '127.0.0.1', () => r()));
    wirePort = (wire.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => wire.close(() => r())));

  it('puts a ready message on the wire as it is, and stuffs dots and mends line ends in any other', async () => {
    const ready = `Subject: ready\r\n\r\n${'a line of a digest, =2E and all\r\n'.repeat(2000)}the end\r\n`;
    const dotted = 'Subject: dotted\r\n\r\n.a line that starts with a dot\r\nbare LF\nend\r\n';
    expect(isSmtpDataReady(Buffer.from(ready))).toBe(true);
    expect(isSmtpDataReady(Buffer.from(dotted))).toBe(false);
    const transformed = vi.spyOn(DataStream.prototype as unknown as { _transform: (c: Buffer) => void }, '_transform');
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${wirePort}`, { poolSize: 1 });
    try {
      expect(await mailer.sendRaw({ from: 'digest@papermail.test', to: 'a@example.org' }, ready)).toMatchObject({ ok: true });
      // Only the last line went through the byte loop.
      expect(transformed.mock.calls.map(([c]) => c.length)).toEqual(['the end\r\n'.length]);
      expect(await mailer.sendRaw({ from: 'digest@papermail.test', to: 'b@example.org' }, dotted)).toMatchObject({ ok: true });
    } finally {
      transformed.mockRestore();
      await mailer.close();
    }
    expect(captured.map((b) => b.toString('latin1'))).toEqual([
      `${ready}.\r\n`,
      'Subject: dotted\r\n\r\n..a line that starts with a dot\r\nbare LF\r\nend\r\n.\r\n',
    ]);
  });

  it('tells ready messages from the rest', () => {
    const ok = (s: string) => isSmtpDataReady(Buffer.from(s, 'latin1'));
    expect(ok('a\r\nb\r\n')).toBe(true);
    expect(ok('a\r\n')).toBe(true);
    for (const s of ['', '\r\n'.slice(1), 'a', 'a\r\nb', '.a\r\n', 'a\r\n.b\r\n', 'a\nb\r\n', 'a\rb\r\n', 'a\r\r\n', 'a\r\n\n', 'a\r\n\r']) {
      expect(ok(s), JSON.stringify(s)).toBe(false);
    }
  });

  it("tells the same from a message's pieces, however the message is cut", () => {
    // Pieces of CRLFs, dots, letters and a two-byte letter, short and long (long ones are remembered: each
    // is met again in other messages), with now and then a piece made to test a joint (a lone CR or LF, a
    // dot or an LF first, a CR last), against the byte-by-byte answer over the joined message.
    // mulberry32: a small seeded generator whose low bits are as random as its high ones.
    let x = 7;
    const next = (n: number) => {
      x = (x + 0x6d2b79f5) | 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const safe = ['\r\n', '\r\n', 'a', 'b', '.', 'é', '='];
    const joints = ['\r', '\n', '.', '.a', '\na', 'a\r', '\r\n', '\r\n.', '\n.', 'a\r\n', '\r\r\n', '\n\n'];
    const piece = () => (next(5) === 0 ? joints[next(joints.length)]! : Array.from({ length: next(7) }, () => safe[next(safe.length)]).join(''));
    const long = Array.from({ length: 12 }, () => `${piece()}${'x'.repeat(260)}\r\n${piece()}`);
    let ready = 0;
    for (let m = 0; m < 50_000; m++) {
      const pieces = Array.from({ length: 1 + next(6) }, () => (next(4) === 0 ? long[next(long.length)]! : piece()));
      if (next(2) === 0) pieces.push('\r\n');
      const expected = isSmtpDataReady(Buffer.from(pieces.join('')));
      expect(piecesSmtpDataReady(pieces), JSON.stringify(pieces)).toBe(expected);
      ready += expected ? 1 : 0;
    }
    // Both answers were met often.
    expect(ready).toBeGreaterThan(2_000);
    expect(ready).toBeLessThan(48_000);
  });
});
