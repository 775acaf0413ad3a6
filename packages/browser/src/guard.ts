export type Log = (message: string, detail?: unknown) => void;

/** Wraps a listener or entry point so that nothing it throws reaches the host page. */
export const safe =
  <A extends unknown[], R>(fn: (...args: A) => R, log?: Log, fallback?: R) =>
  (...args: A): R => {
    try {
      return fn(...args);
    } catch (err) {
      log?.('swallowed', err);
      return fallback as R;
    }
  };

/** Adds a listener and returns its removal. */
export function listen(target: EventTarget, type: string, fn: (e: Event) => void, capture?: boolean): () => void {
  target.addEventListener(type, fn, capture);
  return () => target.removeEventListener(type, fn, capture);
}
