/**
 * The query side of the collector: SQLite rollups plus the incremental real-time structure.
 * Placeholder contract — the metrics work (issue 4) fills it in.
 */
export interface Analytics {
  close(): void;
}
