import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/** Caught messages are kept as .eml files so the API can show them from any process. */
export interface DevCatcher {
  readonly url: string;
  close(): Promise<void>;
}

const KEEP = 2000;

/** Starts the built-in SMTP catcher on loopback; every message lands in `dir` instead of the world. */
export async function startDevCatcher(dir: string): Promise<DevCatcher> {
  await mkdir(dir, { recursive: true });
  await pruneInbox(dir, KEEP);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    banner: 'papermail dev catcher',
    size: 10 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const name = `${Date.now().toString().padStart(15, '0')}-${randomBytes(4).toString('hex')}.eml`;
        writeFile(join(dir, name), Buffer.concat(chunks)).then(() => callback(), callback);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => res());
  });
  const { port } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise((res) => server.close(() => res())) };
}

/** Lists caught message ids, newest first. */
export async function listInbox(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.eml')).map((n) => n.slice(0, -4)).sort().reverse();
}

/** Reads one caught message; the id is checked so no path can escape the inbox. */
export async function readInboxMessage(dir: string, id: string): Promise<Buffer | null> {
  if (!/^[0-9]{15}-[0-9a-f]{8}$/.test(id)) return null;
  return readFile(join(dir, `${id}.eml`)).catch(() => null);
}

async function pruneInbox(dir: string, keep: number): Promise<void> {
  const ids = await listInbox(dir);
  await Promise.all(ids.slice(keep).map((id) => rm(join(dir, `${id}.eml`), { force: true })));
}
