import type { DeliveryResult } from '../db/deliveries-repo.js';
import type { Logger } from './deps.js';

/** Writes delivery results durably; `write` resolves only once its result is stored. */
export interface ResultWriter {
  write(result: DeliveryResult): Promise<void>;
  /** Stops retrying: results still unwritten reject (the process is about to exit; their rows expire by lease). */
  abandon(): void;
}

/**
 * Group commit for delivery results. Each result is written within `flushMs` of being known, together with
 * whatever other lanes produced meanwhile, in one statement. A batch that cannot be written (Postgres down,
 * a restart) is kept and retried with backoff until it is written: a result is never dropped. The caller
 * waits for its own result before it sends another message, which is what bounds duplicates after a crash
 * by the SMTP transactions open at that moment.
 */
export function createResultWriter(record: (results: DeliveryResult[]) => Promise<void>, log: Logger, flushMs = 2): ResultWriter {
  type Pending = { result: DeliveryResult; done: () => void; fail: (e: Error) => void };
  let buffer: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let flushing = false;
  let abandoned = false;

  const flush = async () => {
    timer = null;
    if (flushing) return;
    flushing = true;
    try {
      while (buffer.length) {
        const batch = buffer;
        buffer = [];
        for (let attempt = 0; ; attempt++) {
          if (abandoned) {
            for (const p of batch) p.fail(new Error('result writer abandoned before the result was stored'));
            break;
          }
          try {
            await record(batch.map((p) => p.result));
            for (const p of batch) p.done();
            break;
          } catch (err) {
            if (attempt === 0 || attempt % 20 === 0)
              log.warn({ err: (err as Error).message, results: batch.length, attempt }, 'could not record delivery results; retrying until they are stored');
            await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** Math.min(attempt, 6))));
          }
        }
      }
    } finally {
      flushing = false;
    }
  };

  return {
    write(result) {
      if (abandoned) return Promise.reject(new Error('result writer abandoned'));
      return new Promise<void>((done, fail) => {
        buffer.push({ result, done, fail });
        // While a batch is being written, the flush loop takes this one right after it.
        if (!flushing && !timer) timer = setTimeout(() => void flush(), flushMs);
      });
    },
    abandon() {
      abandoned = true;
      for (const p of buffer.splice(0)) p.fail(new Error('result writer abandoned before the result was stored'));
    },
  };
}
