/**
 * The query side of the collector: SQLite rollups plus the incremental real-time structure.
 * Placeholder contract — the metrics work (issue 4) fills it in and may add methods.
 */
export interface Analytics {
  /** Recomputes the rollups of these days (`YYYY-MM-DD` in TALLY_TZ) from the raw log — after an erasure, say. */
  rebuildDays(days: string[]): Promise<void>;
  close(): void;
}
