import type { DeliveryResult } from '../domain/delivery.js';
import type { Logger } from './logger.js';

/** Writes delivery results durably; `write` resolves only once its result is stored. */
export interface ResultWriter {
  write(result: DeliveryResult): Promise<void>;
  /** Stops retrying: results still unwritten reject (the process is about to exit; their rows expire by lease). */
  abandon(): void;
}

/**
 * Group commit for delivery results. Each result is written within `flushMs` of being known, together with
 * whatever other lanes produced meanwhile, in one statement; up to `parallel` statements are in flight, so
 * one slow commit does not hold the next batch back. A batch that cannot be written (Postgres down, a
 * restart) is kept and retried with backoff until it is written: a result is never dropped. The caller waits
 * for its own result before it sends another message, which is what bounds duplicates after a crash by the
 * SMTP transactions open at that moment.
 */
export function createResultWriter(
  record: (results: DeliveryResult[]) => Promise<void>,
  log: Logger,
  opts: { flushMs?: number; flushAt?: number; parallel?: number } = {},
): ResultWriter {
  const flushMs = opts.flushMs ?? 0;
  // When this many results wait, nobody else is coming: every open message is waiting for its write.
  const flushAt = opts.flushAt ?? Infinity;
  const parallel = opts.parallel ?? 4;
  type Pending = { result: DeliveryResult; done: () => void; fail: (e: Error) => void };
  let buffer: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlight = 0;
  let abandoned = false;

  const writeBatch = async (batch: Pending[]) => {
    for (let attempt = 0; ; attempt++) {
      if (abandoned) {
        for (const p of batch) p.fail(new Error('result writer abandoned before the result was stored'));
        return;
      }
      try {
        await record(batch.map((p) => p.result));
        for (const p of batch) p.done();
        return;
      } catch (err) {
        if (attempt === 0 || attempt % 20 === 0)
          log.warn({ err: (err as Error).message, results: batch.length, attempt }, 'could not record delivery results; retrying until they are stored');
        await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** Math.min(attempt, 6))));
      }
    }
  };

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    while (buffer.length && inFlight < parallel) {
      const batch = buffer;
      buffer = [];
      inFlight++;
      void writeBatch(batch).finally(() => {
        inFlight--;
        if (buffer.length) flush();
      });
    }
  };

  return {
    write(result) {
      if (abandoned) return Promise.reject(new Error('result writer abandoned'));
      return new Promise<void>((done, fail) => {
        buffer.push({ result, done, fail });
        if (buffer.length >= flushAt) flush();
        else if (!timer && inFlight < parallel) timer = setTimeout(flush, flushMs);
      });
    },
    abandon() {
      abandoned = true;
      if (timer) clearTimeout(timer);
      for (const p of buffer.splice(0)) p.fail(new Error('result writer abandoned before the result was stored'));
    },
  };
}
