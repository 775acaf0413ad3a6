/**
 * Runs async steps one after another. Read-modify-write sequences on storage (the dropped counter,
 * enqueue-then-bound) must not interleave, and a failed step must not break the ones after it.
 */
export const createSerial = () => {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => T | Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
  };
};

export type Serial = ReturnType<typeof createSerial>;
