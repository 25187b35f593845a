// What signing one digest costs, on one core, without the rest of the fan-out around it:
// `npx tsx bench/dkim-sign.ts [--messages 3000]`. A 56 KB message in 81 pieces, as the composer makes them
// (the edition's long pieces shared, a reader's links between them), signed by mail/dkim.ts with RSA-2048,
// with RSA and Ed25519 (dual), and with Ed25519 alone; after 500 messages of warm-up each.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { DkimConfig } from '../src/config-dkim.js';
import { createDkimSigner } from '../src/mail/dkim.js';

const { values: args } = parseArgs({ options: { messages: { type: 'string', default: '3000' } } });
const n = Number(args.messages);
const pem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsa = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const ed = { keySelector: 'e', privateKey: pem(generateKeyPairSync('ed25519').privateKey) };
const long = Array.from({ length: 40 }, (_, i) => `<tr><td style=3D"padding:0">${'lorem ipsum dolor sit amet =\r\n'.repeat(45)}</td></tr>${i}\r\n`);
const head =
  'From: papermail <digest@example.org>\r\nSubject: Trending papers\r\nDate: Tue, 08 Dec 2026 03:00:00 +0000\r\nMessage-ID: <x@example.org>\r\n' +
  'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\n';
const message = (i: number) => [`To: <reader${i}@example.net>\r\nList-Unsubscribe: <https://papermail.example.org/unsubscribe/${i}>\r\n`, head, ...long.flatMap((p, j) => [p, `https://papermail.example.org/f/${i}.${j}\r\n`]), '--b--\r\n'];
const configs: [string, DkimConfig][] = [
  ['rsa-sha256', { domainName: 'example.org', keySelector: 'r', privateKey: rsa, ed25519: null, next: null }],
  ['dual', { domainName: 'example.org', keySelector: 'r', privateKey: rsa, ed25519: ed, next: null }],
  ['ed25519-sha256', { domainName: 'example.org', keySelector: null, privateKey: null, ed25519: ed, next: null }],
];
console.log(`message: ${(message(0).join('').length / 1024).toFixed(1)} KB in ${message(0).length} pieces; ${n} messages each`);
for (const [name, config] of configs) {
  const signer = createDkimSigner(config);
  for (let i = 0; i < 500; i++) signer.sign(message(i));
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) signer.sign(message(i));
  const used = process.cpuUsage(cpu);
  console.log(`${name.padEnd(15)} ${((used.user + used.system) / 1000 / n).toFixed(3)} ms of CPU per message`);
}
