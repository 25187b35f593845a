import { createServer, type IncomingMessage, type Server } from 'node:http';

/** One scripted answer: status, headers, body, and an optional delay before answering. */
interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

/** A local HTTP server that serves fixtures by path, answering from a script, and records requests. */
export interface FeedServer {
  readonly url: string;
  readonly requests: { path: string; at: number; userAgent: string | undefined }[];
  /** Answers for a path, in order; the last one repeats. */
  script(path: string, answers: Answer[]): void;
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const scripts = new Map<string, Answer[]>();
  const requests: FeedServer['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ path: req.url ?? '/', at: Date.now(), userAgent: req.headers['user-agent'] });
    const list = scripts.get(path);
    const answer = list ? (list.length > 1 ? list.shift()! : list[0]!) : { status: 404, body: 'not found' };
    const send = () => {
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/octet-stream', ...answer.headers });
      res.end(answer.body ?? '');
    };
    if (answer.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) send();
      }, answer.delayMs);
      timers.add(t);
    } else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (path, answers) => void scripts.set(path, [...answers]),
    close: () =>
      new Promise((r) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
