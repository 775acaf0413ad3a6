/**
 * Runs async tasks one after another (a promise-chain lock): each starts when the one before has
 * settled, and a failed task does not break the ones after it. The collector's copy of
 * packages/core's `createSerial` (core may not import the collector, nor the collector core's
 * internals).
 */
export function createSerial(): <T>(task: () => T | Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => T | Promise<T>): Promise<T> => {
    const run = tail.then(task);
    tail = run.catch(() => {});
    return run;
  };
}

export type Serial = ReturnType<typeof createSerial>;
