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
 * feed itself).
 */
export function listen(target: EventTarget, handlers: Record<string, (e: any) => unknown>, capture?: boolean): () => void {
  const pairs = Object.keys(handlers).map((type) => [type, safe(handlers[type]!)] as const);
  const each = (how: 'add' | 'remove') =>
    pairs.map(([type, fn]) => target[`${how}EventListener`](type, fn, capture));
  each('add');
  return () => void each('remove');
}
