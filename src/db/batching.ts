/**
 * A DataLoader `batchScheduleFn` for statements that share a commit: a batch is dispatched at once while
 * fewer than `maxInFlight` of its kind are running, and otherwise waits for one to finish, so that whatever
 * arrives meanwhile joins it. Under load a batch grows with the load; alone, a call waits for nothing.
 * Call `done` when a batch's statement has finished.
 */
export function gatedBatches(maxInFlight = 2): { schedule: (dispatch: () => void) => void; started: () => void; done: () => void } {
  let inFlight = 0;
  const held: (() => void)[] = [];
  return {
    schedule: (dispatch) => (inFlight < maxInFlight ? setImmediate(dispatch) : held.push(() => setImmediate(dispatch))),
    started: () => void inFlight++,
    done: () => {
      inFlight--;
      held.shift()?.();
    },
  };
}
