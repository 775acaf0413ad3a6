import type { Rollups } from '../rollup/index.js';
import type { Logger } from '../deps.js';
import { addDays } from '../shared/index.js';
import { breakdownsAsync } from './breakdown.js';
import type { Segment } from './segment.js';
import { DEFAULT_LIMIT } from './top.js';

/** The range presets of the dashboard (days ending today) and the top-N of its overview tables. */
// Shortest first: each range starts from the bitsets of the one before (breakdown-users.ts), so
// between them every day is read once.
export const WARM_PRESETS = [7, 30, 90, 365] as const;
export const OVERVIEW_TOP = 10;
const EVERYONE: Segment = { pairs: [], none: false, empty: true };

/** One round of warming: every preset's breakdowns, this period with users and the previous without. */
export async function warmOnce(rollups: Rollups, stopped: () => boolean = () => false): Promise<void> {
  const engine = rollups.engine;
  const today = rollups.today?.();
  if (engine === undefined || today === undefined) return;
  for (const n of WARM_PRESETS) {
    const from = addDays(today, -(n - 1));
    await breakdownsAsync(engine, from, today, EVERYONE, OVERVIEW_TOP, true, stopped, undefined, true);
    // The previous period, as the overview's change column asks for it (events only).
    await breakdownsAsync(engine, addDays(from, -n), addDays(from, -1), EVERYONE, DEFAULT_LIMIT, false, stopped, undefined, true);
  }
}

/**
 * Keeps the unfiltered overview breakdowns of the dashboard's presets computed: at start and then
 * every `everyMs`, a day of work per turn of the event loop. What it computes is cached under the
 * days' versions (breakdown.ts), so a run over unchanged days costs next to nothing, and the first
 * visit of the morning — after the nightly rollup rewrote yesterday — finds the settled days ready
 * and scans only the live ones.
 */
export function startQueryWarmer(rollups: Rollups, logger: Logger, everyMs = 60_000): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    const t0 = Date.now();
    await warmOnce(rollups, () => stopped);
    // Only rounds that computed something (after a start or a rollup), not the idle ones.
    const ms = Date.now() - t0;
    if (ms >= 1000) logger.info('breakdown caches warm', { ms });
  };
  const loop = () => {
    run().then(
      () => schedule(),
      (err: unknown) => {
        if (!stopped) logger.warn('warming the breakdown caches failed', { error: String(err) });
        schedule();
      },
    );
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(loop, everyMs);
    timer.unref();
  };
  timer = setTimeout(loop, 0);
  timer.unref();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
