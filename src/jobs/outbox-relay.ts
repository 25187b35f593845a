import type { OutboxRow } from '../domain/delivery.js';
import type { Logger } from './logger.js';

/** The narrow port the relay needs: take owed rows and hand them to the queue. */
export interface OutboxPort {
  relay(send: (rows: OutboxRow[]) => Promise<void>, limit?: number): Promise<{ relayed: number; failed: boolean }>;
}

export interface OutboxRelay {
  /** Relays now (after a request committed mail it owes); coalesces with a run in progress. */
  kick(): void;
  stop(): Promise<void>;
}

/** Rows per queue call. */
const RELAY_BATCH = 500;

/**
 * Moves owed mail from the outbox to the queue: at once when kicked, and every `intervalMs` for what a
 * down queue left behind. Rows go in batches (one queue call each); queue job ids come from the rows,
 * so a row relayed twice is one job. Kicked again while it runs, it lets `gapMs` pass before the next
 * call, so that under a rush of signups the rows of many requests share one queue call: a queue call
 * costs Postgres's queue about as much for one row as for a hundred (a temporary table each). A lone
 * signup's mail still goes at once.
 */
export function startOutboxRelay(outbox: OutboxPort, enqueue: (rows: OutboxRow[]) => Promise<void>, log: Logger, intervalMs = 1000, gapMs = 100): OutboxRelay {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let warned = false;
  const runOnce = async () => {
    do {
      again = false;
      try {
        const r = await outbox.relay(enqueue, RELAY_BATCH);
        if (r.failed && !warned) log.warn('the queue is not answering: owed mail waits in the outbox');
        warned = r.failed;
        // A full batch: more are waiting, go on at once. Kicked meanwhile: let more arrive first.
        if (r.relayed === RELAY_BATCH && !r.failed) again = true;
        else if (again && !stopped) await new Promise((resolve) => setTimeout(resolve, gapMs));
      } catch (err) {
        if (!stopped) log.warn({ err: (err as Error).message }, 'outbox relay failed; retrying');
      }
    } while (again && !stopped);
  };
  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = runOnce().finally(() => (running = null));
  };
  const timer = setInterval(kick, intervalMs);
  timer.unref();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
