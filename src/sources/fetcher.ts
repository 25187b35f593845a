import pThrottle from 'p-throttle';

/** Fetches a feed's text politely: one User-Agent, a timeout, retries with backoff, 429/Retry-After honoured. */
export interface Fetcher {
  fetchText(url: string): Promise<string>;
}

export interface FetcherOptions {
  userAgent: string;
  timeoutMs: number;
  retries: number;
  /** Minimum spacing between requests to one host, in ms (arXiv asks for 3 s). */
  spacingMs?: (host: string) => number;
  /** First backoff delay; doubles per attempt. */
  backoffMs?: number;
  /** Longest wait a Retry-After may impose before we give up on this run. */
  maxRetryAfterMs?: number;
  /** Largest body read, in bytes; a bigger one is refused, not retried (a feed is a few MB at most). */
  maxBytes?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** A fetch that failed for good; `status` is the last HTTP status, if any. */
export class FetchError extends Error {
  constructor(
    readonly url: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${url}: ${message}`);
  }
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The default body cap: the arXiv API's largest page is a few MB. */
export const MAX_FEED_BYTES = 16 * 1024 * 1024;

/** Reads a body as UTF-8 text, refusing it once it passes `max` bytes (announced or streamed). */
async function readCapped(url: string, res: Response, max: number): Promise<string> {
  const tooBig = () => new FetchError(url, `the body is larger than ${Math.round(max / 1024 / 1024)} MB; refused`, res.status);
  const announced = Number(res.headers.get('content-length') ?? NaN);
  if (announced > max) {
    await res.body?.cancel().catch(() => {});
    throw tooBig();
  }
  if (!res.body) return '';
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let seen = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    seen += chunk.byteLength;
    if (seen > max) {
      await res.body.cancel().catch(() => {});
      throw tooBig();
    }
    parts.push(decoder.decode(chunk, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** Seconds or an HTTP date, as Retry-After allows; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function createFetcher(opts: FetcherOptions): Fetcher {
  const sleep = opts.sleep ?? wait;
  const backoff = opts.backoffMs ?? 1000;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 10 * 60_000;
  const maxBytes = opts.maxBytes ?? MAX_FEED_BYTES;
  const throttles = new Map<string, <T>(fn: () => Promise<T>) => Promise<T>>();
  const throttled = <T>(host: string, fn: () => Promise<T>): Promise<T> => {
    let t = throttles.get(host);
    if (!t) {
      const spacing = opts.spacingMs?.(host) ?? 0;
      const limiter = spacing > 0 ? pThrottle({ limit: 1, interval: spacing, strict: true }) : null;
      t = limiter ? <U>(f: () => Promise<U>) => limiter(f)() : <U>(f: () => Promise<U>) => f();
      throttles.set(host, t);
    }
    return t(fn);
  };

  async function once(url: string): Promise<Response> {
    return throttled(new URL(url).host, () =>
      fetch(url, {
        headers: { 'user-agent': opts.userAgent, accept: 'application/json, application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5' },
        signal: AbortSignal.timeout(opts.timeoutMs),
        redirect: 'follow',
      }),
    );
  }

  return {
    async fetchText(url) {
      let lastError = '';
      let lastStatus: number | undefined;
      for (let attempt = 0; attempt <= opts.retries; attempt++) {
        let delay = backoff * 2 ** attempt;
        try {
          const res = await once(url);
          if (res.ok) return await readCapped(url, res, maxBytes);
          lastStatus = res.status;
          lastError = `HTTP ${res.status}`;
          const after = retryAfterMs(res.headers.get('retry-after'));
          await res.body?.cancel().catch(() => {});
          if (res.status === 429 || res.status === 503) {
            if (after !== null) {
              if (after > maxRetryAfter) throw new FetchError(url, `rate limited; Retry-After ${Math.round(after / 1000)} s is too long to wait now`, res.status);
              delay = Math.max(after, 0);
            }
          } else if (res.status < 500) {
            throw new FetchError(url, lastError, res.status);
          }
        } catch (err) {
          if (err instanceof FetchError) throw err;
          lastError = (err as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (err as Error).message;
        }
        if (attempt < opts.retries) await sleep(delay);
      }
      throw new FetchError(url, `gave up after ${opts.retries + 1} attempts: ${lastError}`, lastStatus);
    },
  };
}
