import { KV_META, readMeta, type StepRunner } from '../queue-storage.js';
import type { WireEvent } from '../wire.js';

/** The single-value queue `{q, d, i}` of SDK 0.1 (browser only): events, drop count, report id. */
export const KV_LEGACY = 'tally.q';

/**
 * Wraps a StepRunner so that the first step it runs first moves an SDK 0.1 queue into core's
 * layout and deletes it, inside that same step: atomic, so two tabs starting at once move it
 * exactly once. Only the browser ever had that layout, so only its adapters wrap their runner with
 * this; React Native's bundle does not carry it. The moved events go after anything already in the
 * new layout, so sequence numbers stay increasing.
 */
export const withLegacyQueue = (run: StepRunner): StepRunner => {
  let checked = false;
  return (step) =>
    run(function* (put) {
      if (!checked) {
        const old = yield KV_LEGACY;
        if (old) {
          const m = yield* readMeta();
          for (const e of Array.isArray(old.q) ? (old.q as WireEvent[]) : []) put(m.t++, e), m.n++;
          if (old.d > 0) m.c = { dropped: m.c.dropped + old.d, reportId: m.c.reportId || old.i };
          // The step below reads the meta record again and sees this write (IndexedDB and a synchronous
          // key–value store read their own writes within a step).
          put(KV_META, m);
          put(KV_LEGACY);
        }
        checked = true;
      }
      return yield* step(put);
    });
};
