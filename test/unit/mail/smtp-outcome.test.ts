// The one SMTP outcome policy, table-driven over real answers with the phase nodemailer reports them in.
import { describe, expect, it } from 'vitest';
import { classifySmtpFailure, enhancedCode, type FailureClass, type SmtpFailure } from '../../../src/mail/smtp-outcome.js';

const at = (command: string, response: string, code = 'EENVELOPE'): SmtpFailure => ({
  command,
  response,
  responseCode: Number(response.slice(0, 3)),
  code,
});
const net = (code: string, message: string, command = 'CONN'): SmtpFailure => ({ code, message, command });

const cases: [string, SmtpFailure, FailureClass][] = [
  // The recipient is dead: suppress.
  ['Gmail unknown user', at('RCPT TO', '550-5.1.1 The email account that you tried to reach does not exist.'), 'dead'],
  ['Postfix unknown user', at('RCPT TO', '550 5.1.1 <x@example.org>: Recipient address rejected: User unknown in virtual mailbox table'), 'dead'],
  ['bad destination system', at('RCPT TO', '550 5.1.2 Host unknown'), 'dead'],
  ['null MX (RFC 7505)', at('RCPT TO', '556 5.1.10 Recipient address has null MX'), 'dead'],
  ['disabled mailbox', at('RCPT TO', '550 5.2.1 The email account that you tried to reach is disabled.'), 'dead'],
  ['Outlook recipient not found', at('RCPT TO', '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'), 'dead'],
  // Refused for this reader only: fail, no suppression.
  ['mailbox full at RCPT', at('RCPT TO', '552 5.2.2 The email account that you tried to reach is over quota.'), 'refused'],
  ['mailbox full at DATA', at('DATA', '552 5.2.2 Mailbox full', 'EMESSAGE'), 'refused'],
  ['relay denied', at('RCPT TO', '554 5.7.1 <x@example.org>: Relay access denied'), 'refused'],
  ['content policy at DATA', at('DATA', '550 5.7.1 Message rejected due to content restrictions', 'EMESSAGE'), 'refused'],
  ['message too big at DATA', at('DATA', '552 5.3.4 Message size exceeds fixed limit', 'EMESSAGE'), 'refused'],
  ['no enhanced code at RCPT', at('RCPT TO', '550 Requested action not taken: mailbox unavailable'), 'refused'],
  // Temporary: retry with backoff.
  ['greylisting', at('RCPT TO', '451 4.7.1 Greylisted, please try again in 300 seconds'), 'temporary'],
  ['Gmail rate limit', at('DATA', '421 4.7.28 Our system has detected an unusual rate of unsolicited mail', 'EMESSAGE'), 'temporary'],
  ['mailbox busy', at('RCPT TO', '450 4.2.1 Mailbox busy, try later'), 'temporary'],
  ['too many connections at greeting', at('CONN', '421 4.7.0 Too many connections, try again later', 'EPROTOCOL'), 'temporary'],
  // Transport: ours, never the reader's.
  ['wrong password', at('AUTH PLAIN', '535 5.7.8 Authentication credentials invalid', 'EAUTH'), 'transport'],
  ['Gmail bad credentials', at('AUTH LOGIN', '535-5.7.8 Username and Password not accepted.', 'EAUTH'), 'transport'],
  ['auth required at MAIL', at('MAIL FROM', '530 5.7.0 Authentication Required'), 'transport'],
  ['unverified sender domain', at('MAIL FROM', '553 5.7.1 Sender address rejected: not owned by user'), 'transport'],
  ['SES unverified identity', at('MAIL FROM', '554 Message rejected: Email address is not verified.'), 'transport'],
  ['blocked at connection', at('CONN', '554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org', 'EPROTOCOL'), 'transport'],
  ['sender syntax at RCPT', at('RCPT TO', '501 5.1.7 Bad sender address syntax'), 'transport'],
  ['protocol error', at('DATA', '500 5.5.1 Command unrecognized', 'EMESSAGE'), 'transport'],
  ['TLS required', at('MAIL FROM', '530 5.7.0 Must issue a STARTTLS command first'), 'transport'],
  ['TLS handshake failed', net('ETLS', 'Error initiating TLS - self signed certificate', 'STARTTLS'), 'transport'],
  ['DNS failure', net('EDNS', 'getaddrinfo ENOTFOUND smtp.example.invalid'), 'transport'],
  ['connection refused', net('ESOCKET', 'connect ECONNREFUSED 127.0.0.1:25'), 'transport'],
  ['timeout', net('ETIMEDOUT', 'Timeout'), 'transport'],
  ['dropped during DATA', net('ECONNECTION', 'Connection closed unexpectedly', 'CONN'), 'transport'],
  ['not an SMTP error at all', { message: 'something broke' }, 'transport'],
];

describe('classifySmtpFailure', () => {
  it.each(cases)('%s → %s', (_name, failure, expected) => {
    expect(classifySmtpFailure(failure).class).toBe(expected);
  });

  it('covers at least 20 real answers', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  it('signs failures by reply and enhanced code, so a storm of one answer is recognisable', () => {
    expect(classifySmtpFailure(at('RCPT TO', '550-5.1.1 gone\n550 5.1.1 really gone')).signature).toBe('550 5.1.1');
    expect(classifySmtpFailure(at('RCPT TO', '550 mailbox unavailable')).signature).toBe('550');
    expect(classifySmtpFailure(net('ETIMEDOUT', 'Timeout')).signature).toBe('ETIMEDOUT CONN');
    expect(enhancedCode('250 2.0.0 OK')).toBe('2.0.0');
    expect(enhancedCode('550 no code here')).toBeNull();
  });
});
