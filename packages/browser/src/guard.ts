import type { Client } from '@tally/core';

export type Log = (message: string, detail?: unknown) => void;

/** Wraps a listener or entry point so that nothing it throws reaches the host page. */
export function safe<A extends unknown[], R>(fn: (...args: A) => R, log?: Log, fallback?: R): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args);
    } catch (err) {
      log?.('swallowed error', err);
      return fallback as R;
    }
  };
}

const VOID_METHODS = [
  'track', 'page', 'setUserId', 'register', 'unregister', 'consent', 'optOut', 'optIn', 'reset', 'shutdown',
] as const;

/**
 * The client as the host page sees it: no method throws, `flush()` and `ready()` always resolve
 * (never reject), `stats()` answers zeros if core cannot.
 */
export function guardClient(client: Client, log?: Log): Client {
  const guarded = {} as Client;
  for (const m of VOID_METHODS) guarded[m] = safe((client[m] as (...a: unknown[]) => void).bind(client), log);
  for (const m of ['flush', 'ready'] as const) {
    guarded[m] = () =>
      new Promise<void>((resolve) => resolve(client[m]()))
        .catch((err) => log?.(m + ' failed', err))
        .then(() => {});
  }
  guarded.stats = safe(() => client.stats(), log, { queued: 0, dropped: 0, sent: 0 });
  return guarded;
}
