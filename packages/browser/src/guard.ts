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

/**
 * Adds one guarded listener per event type and returns the removal of all of them. Every tracker
 * and the lifecycle go through here, so "listen, guard, undo" exists once in the bundle. A handler
 * that throws never reaches the host page's dispatch (an `error` handler that throws would even
 * feed itself). `handlers` is taken over: its entries are replaced by their guarded versions, which
 * is what the removal needs (callers pass a fresh literal).
 */
export function listen(target: EventTarget, handlers: Record<string, (e: any) => unknown>, capture?: boolean): () => void {
  for (const type in handlers) target.addEventListener(type, (handlers[type] = safe(handlers[type]!)), capture);
  return () => {
    for (const type in handlers) target.removeEventListener(type, handlers[type]!, capture);
  };
}
