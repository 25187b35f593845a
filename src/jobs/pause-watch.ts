/**
 * Editions paused elsewhere (an operator, the complaint guard, another worker's breaker), read every second
 * while this process sends (between `begin` and `end` of each batch), so that the rows it claimed stop within
 * about a second of a pause rather than at the end of their chunk.
 */
export function createPauseWatch(pausedIds: () => Promise<number[]>, everyMs = 1000) {
  let paused = new Set<number>();
  let sending = 0;
  let timer: NodeJS.Timeout | null = null;
  return {
    has: (editionId: number) => paused.has(editionId),
    /** A claim on the edition succeeded: it is not paused (any more), whatever the last reading said. */
    forget: (editionId: number) => void paused.delete(editionId),
    begin() {
      if (sending++ === 0 && !timer) {
        timer = setInterval(() => void pausedIds().then((ids) => void (paused = new Set(ids)), () => {}), everyMs);
        timer.unref();
      }
    },
    end() {
      if (--sending === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    },
  };
}
