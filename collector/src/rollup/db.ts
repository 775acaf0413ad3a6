import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Versioned migrations; `PRAGMA user_version` holds how many ran. Append, never edit: a database
 * in the field has already run the old ones.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE users (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
   CREATE TABLE dict (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
   CREATE TABLE days (
     day TEXT PRIMARY KEY,
     events INTEGER NOT NULL,
     users INTEGER NOT NULL,
     summary TEXT NOT NULL,
     user_ids BLOB NOT NULL,
     rows BLOB NOT NULL,
     rolled_at TEXT NOT NULL
   );
   CREATE TABLE coverage (
     receipt_day TEXT NOT NULL,
     day TEXT NOT NULL,
     events INTEGER NOT NULL,
     PRIMARY KEY (receipt_day, day)
   );
   CREATE INDEX coverage_day ON coverage (day);
   CREATE TABLE receipts (receipt_day TEXT PRIMARY KEY, complete INTEGER NOT NULL);
   CREATE TABLE ledger (
     day TEXT NOT NULL,
     app TEXT NOT NULL,
     accepted INTEGER NOT NULL DEFAULT 0,
     duplicates INTEGER NOT NULL DEFAULT 0,
     dropped INTEGER NOT NULL DEFAULT 0,
     bots INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (day, app)
   );
   CREATE TABLE ledger_rejected (
     day TEXT NOT NULL,
     app TEXT NOT NULL,
     reason TEXT NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (day, app, reason)
   );`,
  // 2: the users table loses its UNIQUE index on key. Keys are looked up only in memory (the
  // interner loads the table at start), and keeping a B-tree of random keys cost ~4 µs per new
  // user during a rollup — a third of the write time of a day with many first-time visitors.
  `CREATE TABLE users_v2 (id INTEGER PRIMARY KEY, key TEXT NOT NULL);
   INSERT INTO users_v2 (id, key) SELECT id, key FROM users;
   DROP TABLE users;
   ALTER TABLE users_v2 RENAME TO users;`,
  // 3: the per-day funnel index (steps.ts). Days rolled up before it have steps = 0 and are read
  // through their rows until they are rolled up again.
  `ALTER TABLE days ADD COLUMN steps INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE day_steps (
     day TEXT NOT NULL,
     type INTEGER NOT NULL,
     feature INTEGER NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (day, type, feature)
   ) WITHOUT ROWID;`,
  // 4: drop reports (ledger.ts). The largest `dropped` total counted per (app, dropped_id), so a
  // resent report counts only its increase; `day` is the last receipt day the id was seen, for pruning.
  `CREATE TABLE drop_reports (
     app TEXT NOT NULL,
     id TEXT NOT NULL,
     total INTEGER NOT NULL,
     day TEXT NOT NULL,
     PRIMARY KEY (app, id)
   ) WITHOUT ROWID;
   CREATE INDEX drop_reports_day ON drop_reports (day);`,
  // 5: rejected event ids (ledger.ts). Per (app, event_id) of a rejected event already counted in
  // ledger_rejected, so a resent batch does not count it again; `day` is the last receipt day the
  // id was rejected, for pruning.
  `CREATE TABLE rejected_ids (
     app TEXT NOT NULL,
     id TEXT NOT NULL,
     day TEXT NOT NULL,
     PRIMARY KEY (app, id)
   ) WITHOUT ROWID;
   CREATE INDEX rejected_ids_day ON rejected_ids (day);`,
  // Funnel index with every occurrence time (issue 11: exact windowFunnel). The old lists held
  // each step's first time per day only; they are dropped, and those days are read through their
  // rows (first times: not exact) until `rollup --rebuild` rebuilds them from the log.
  `DELETE FROM day_steps;
   UPDATE days SET steps = 0;`,
  // Bounded dimensions (dims.ts): each day's distinct dictionary ids per dimension (absent for days
  // rolled up before: read off their rows), and the events counted under `(other)` past the cap.
  // day_parts: rows of later rollups of an already rolled-up day, appended instead of merged
  // (store.ts), so a rollup's cost follows its new events.
  // (IF NOT EXISTS: a test re-runs the migrations after an earlier one on a database that has these.)
  `CREATE TABLE IF NOT EXISTS day_values (day TEXT PRIMARY KEY, data BLOB NOT NULL);
   CREATE TABLE IF NOT EXISTS dim_overflow (
     receipt_day TEXT NOT NULL,
     day TEXT NOT NULL,
     app TEXT NOT NULL,
     dim TEXT NOT NULL,
     events INTEGER NOT NULL,
     PRIMARY KEY (receipt_day, day, app, dim)
   ) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS dim_overflow_day ON dim_overflow (day);
   CREATE TABLE IF NOT EXISTS day_parts (day TEXT NOT NULL, rows BLOB NOT NULL);
   CREATE INDEX IF NOT EXISTS day_parts_day ON day_parts (day);`,
  // Day heads (stage.ts): which `day_parts` rows (rowids lo..hi) and which funnel index keys
  // (`day_steps.day`) make up each day. The rollup worker writes a day's new rows and index in
  // short transactions under keys no head names yet, then one small transaction moves the head:
  // readers and a crash never see half a day. `base`: the rows still sit in `days.rows` (written
  // before this); `parts`: parts appended since the day was last written whole.
  // (IF NOT EXISTS / OR IGNORE: as for 7, a test re-runs the migrations on a database that has it.)
  `CREATE TABLE IF NOT EXISTS day_heads (
     day TEXT PRIMARY KEY,
     lo INTEGER NOT NULL,
     hi INTEGER NOT NULL,
     step_keys TEXT NOT NULL,
     base INTEGER NOT NULL,
     parts INTEGER NOT NULL
   ) WITHOUT ROWID;
   INSERT OR IGNORE INTO day_heads (day, lo, hi, step_keys, base, parts)
     SELECT d.day,
       COALESCE((SELECT MIN(rowid) FROM day_parts p WHERE p.day = d.day), 1),
       COALESCE((SELECT MAX(rowid) FROM day_parts p WHERE p.day = d.day), 0),
       CASE WHEN d.steps = 1 THEN d.day ELSE '' END,
       1,
       (SELECT COUNT(*) FROM day_parts p WHERE p.day = d.day)
     FROM days d;`,
  // The day's user id list written by the rollup worker too (stage.ts), under a key of its own
  // (`day_users`) that the head names (`day_user_keys`: comma-separated, the whole write's list
  // then each part's new users; moved with `day_heads`; no row = the list is still in `days.user_ids`): writing 4 bytes per user of a busy day inside the head move held
  // the event loop. (A table, not a column of day_heads: migrations must stay re-runnable, as for 7.)
  `CREATE TABLE IF NOT EXISTS day_users (key TEXT PRIMARY KEY, data BLOB NOT NULL);
   CREATE TABLE IF NOT EXISTS day_user_keys (day TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID;`,
  // Breakdown index (breakdown-index.ts): per day, the events and the distinct users of every
  // dimension value, replaced with the day's head. Days rolled up before it have none and are read
  // through their rows until a rollup or a rebuild writes them again.
  // `dim` −1 holds the directory (events per value, a few KB), 0–8 each dimension's user lists
  // (≈ 100 KB each at 100,000 daily users): the events of a range read only the directories.
  `CREATE TABLE IF NOT EXISTS day_breakdowns (day TEXT NOT NULL, dim INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (day, dim));`,
  // 11: funnel index lists in layout 2 (step-view.ts: varint user gaps and counts, 44 % smaller). No
  // table changes: lists written before stay in layout 1 and are read as they are. The version
  // moves so that an older collector, which cannot read layout 2, refuses this database at start
  // instead of failing on every funnel.
  `SELECT 1;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function openDb(dataDir: string, file = 'tally.db'): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, file));
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL survives a process crash; every figure can be recomputed from the log anyway.
  db.pragma('synchronous = NORMAL');
  // Erasure: deleted rows must not linger in free pages where a grep would find them.
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  // The users key index takes hundreds of thousands of random inserts on a busy day; with the
  // default 2 MB page cache every one of them misses. 64 MB keeps the index pages hot.
  db.pragma('cache_size = -65536');
  // Reads through a memory map instead of one pread() per 4 KB page. A funnel index list is a BLOB
  // of up to ~1 MB spread over overflow pages; the first funnel on a new step set reads ~100 MB of
  // them, and page by page that took 8–10× as long as mapped (docs/benchmarks.md). Writes still go
  // through write(), so a full disk is still SQLITE_FULL. 2 GB is the most this SQLite build maps;
  // pages past it are read as before.
  db.pragma('mmap_size = 2147418112');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`tally.db has schema version ${current}, newer than this collector knows (${MIGRATIONS.length}): it was written by a newer Tally collector; upgrade the collector, or restore a backup made by this version into an empty directory`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
