// The SMTP mailer against real smtp-server instances, including one that offers STARTTLS with its
// built-in self-signed certificate, as a local relay or catcher on loopback often does.
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../src/mail/smtp-mailer.js';

let server: SMTPServer;
let port = 0;
const received: string[] = [];

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: false,
    logger: false,
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('gone')) return cb(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 }));
      if (address.address.startsWith('later')) return cb(Object.assign(new Error('4.7.1 Try again later'), { responseCode: 451 }));
      cb();
    },
    onData(stream, session, cb) {
      stream.resume();
      stream.on('end', () => {
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

describe('SMTP mailer', () => {
  it('upgrades to STARTTLS on loopback even with a self-signed certificate, and delivers', async () => {
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`, { poolSize: 2 });
    const outcome = await mailer.sendRaw({ from: 'digest@papermail.test', to: 'reader@example.org' }, 'Subject: hi\r\n\r\nhello\r\n');
    await mailer.close();
    expect(outcome).toMatchObject({ ok: true });
    expect(received).toContain('tls:reader@example.org');
  });

  it('classifies 5xx as permanent and 4xx as worth a retry', async () => {
    const mailer = createSmtpMailer(`smtp://localhost:${port}`, { poolSize: 1 });
    const gone = await mailer.sendRaw({ from: 'digest@papermail.test', to: 'gone@example.org' }, 'Subject: x\r\n\r\nx\r\n');
    const later = await mailer.sendRaw({ from: 'digest@papermail.test', to: 'later@example.org' }, 'Subject: x\r\n\r\nx\r\n');
    await mailer.close();
    expect(gone).toMatchObject({ ok: false, permanent: true });
    expect(gone.ok ? '' : gone.response).toMatch(/550/);
    expect(later).toMatchObject({ ok: false, permanent: false });
  });
});
