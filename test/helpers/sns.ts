// A stand-in for Amazon SNS: a local https server with a certificate of our own for
// sns.us-east-1.amazonaws.com, which serves that certificate at a SigningCertURL and answers SubscribeURLs;
// an https agent that takes papermail's requests for that host there; and messages signed with its key,
// as SNS signs them (SignatureVersion 1: SHA1, 2: SHA256).
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { ClientRequestArgs } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SNS_HOST = 'sns.us-east-1.amazonaws.com';
const CERT_URL = `https://${SNS_HOST}/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem`;

export interface FakeSns {
  /** The agent papermail's SNS fetches go through (ServeAdapters.snsAgent). */
  agent: Agent;
  /** Paths requested so far. */
  hits: string[];
  /** A message as SNS posts it: the fields, a signature over them, and the certificate's URL. */
  sign(fields: Record<string, string>, version?: '1' | '2'): Record<string, string>;
  close(): Promise<void>;
}

// The fields SNS signs, in this order, for each kind of message (Amazon's "Verifying the signatures of
// Amazon SNS messages"): a field absent from the message is left out.
const SIGNED: Record<string, string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export async function startFakeSns(): Promise<FakeSns> {
  const dir = mkdtempSync(join(tmpdir(), 'papermail-sns-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${SNS_HOST}`,
    '-addext', `subjectAltName=DNS:${SNS_HOST}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const hits: string[] = [];
  const server: Server = createServer({ key, cert }, (req, res) => {
    hits.push(req.url ?? '');
    if (req.url === new URL(CERT_URL).pathname) return void res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(cert);
    res.writeHead(200, { 'content-type': 'text/xml' }).end('<ConfirmSubscriptionResponse/>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  // Every connection for SNS's host reaches the local server, which must prove it holds the host's certificate.
  class LocalSnsAgent extends Agent {
    override createConnection(options: ClientRequestArgs, callback?: Parameters<Agent['createConnection']>[1]) {
      return super.createConnection({ ...options, host: '127.0.0.1', port, servername: SNS_HOST } as ClientRequestArgs, callback);
    }
  }
  const agent = new LocalSnsAgent({ ca: cert, keepAlive: false });
  return {
    agent,
    hits,
    sign(fields, version = '2') {
      const message: Record<string, string> = { Timestamp: new Date().toISOString(), MessageId: `m-${Math.random()}`, ...fields, SignatureVersion: version, SigningCertURL: CERT_URL };
      const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
      for (const k of SIGNED[message.Type!] ?? []) if (k in message) signer.update(`${k}\n${message[k]}\n`);
      return { ...message, Signature: signer.sign(key, 'base64') };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
