/**
 * The set of `event_id`s stored in the last 48 hours (by `received_at`), so SDK retries are not
 * stored twice.
 *
 * Memory: one Map entry per id. UUIDs (what the SDKs send) are packed into a 16-character one-byte
 * string — 32 bytes on the heap instead of 56 for the 36-character form — and the value is the
 * receipt minute, a small integer stored inline. With V8's hash-table overhead that is ≈ 61 bytes
 * per id (measured with 1,000,000 UUIDs). `maxIds` caps the total: past it the oldest ids are forgotten early (and a
 * warning is logged), so memory stays bounded even when traffic outgrows the window. The default
 * 5,000,000 ids is ≈ 300 MB — 48 hours at ~29 events/s sustained; raise it with more memory.
 *
 * Map iteration is insertion order and ids arrive in receipt order, so expiry sweeps from the front
 * and stops at the first live entry. Lookups also check the age, so an entry the sweep has not
 * reached yet never blocks a legitimately new event.
 */
export interface DedupIndex {
  /** True when the id behind `key` (see `dedupKey`) was stored within the window ending at `nowMs`. */
  has(key: string, nowMs: number): boolean;
  add(key: string, receivedMs: number): void;
  /** Drops ids older than the window; returns how many were dropped. */
  sweep(nowMs: number): number;
  size(): number;
}

export interface DedupOptions {
  windowMs: number;
  maxIds: number;
  onEvictEarly?: (count: number) => void;
}

/** Nibble of each ASCII hex digit; 0x100 marks "not hex" so a bad digit pushes its byte past 0xff. */
const NIB = new Uint16Array(128).fill(0x100);
for (let i = 0; i < 10; i++) NIB[48 + i] = i;
for (let i = 0; i < 6; i++) NIB[97 + i] = NIB[65 + i] = 10 + i;

const nib = (id: string, i: number) => {
  const c = id.charCodeAt(i);
  return c < 128 ? NIB[c]! : 0x100;
};
/** The byte of the two hex digits at `i`, or a value above 0xff when either is not hex. */
const byteAt = (id: string, i: number) => (nib(id, i) << 4) | nib(id, i + 1);

/**
 * The map key of an event id within its app. Deduplication is per app, like the ledger's key: the
 * same id from two apps is two events. Events of no app (and of the app named "default", which
 * the ledger counts together with them) keep the bare id key; any other app goes in front with its
 * length, so no (app, id) pair can spell another's key.
 */
export function dedupKey(id: string, app?: string): string {
  const key = idKey(id);
  return app === undefined || app === '' || app === 'default' ? key : `\u0101${app.length}:${app}${key}`;
}

/**
 * The map key of an event id. A UUID (any case) becomes its 16 bytes as a one-byte string; any other
 * id is kept verbatim behind a U+0100 prefix — a character no packed key can contain — so the two
 * forms can never collide. Checked digit by digit rather than with a regex: this runs per event.
 */
function idKey(id: string): string {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) {
    return `\u0100${id}`;
  }
  const b0 = byteAt(id, 0), b1 = byteAt(id, 2), b2 = byteAt(id, 4), b3 = byteAt(id, 6);
  const b4 = byteAt(id, 9), b5 = byteAt(id, 11), b6 = byteAt(id, 14), b7 = byteAt(id, 16);
  const b8 = byteAt(id, 19), b9 = byteAt(id, 21), b10 = byteAt(id, 24), b11 = byteAt(id, 26);
  const b12 = byteAt(id, 28), b13 = byteAt(id, 30), b14 = byteAt(id, 32), b15 = byteAt(id, 34);
  if ((b0 | b1 | b2 | b3 | b4 | b5 | b6 | b7 | b8 | b9 | b10 | b11 | b12 | b13 | b14 | b15) > 0xff) return `\u0100${id}`;
  return String.fromCharCode(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15);
}

export function createDedupIndex(opts: DedupOptions): DedupIndex {
  const map = new Map<string, number>();
  const windowMin = Math.ceil(opts.windowMs / 60_000);
  const minute = (ms: number) => Math.floor(ms / 60_000);

  function evictOldest(count: number): void {
    let n = 0;
    for (const k of map.keys()) {
      if (n >= count) break;
      map.delete(k);
      n++;
    }
    opts.onEvictEarly?.(n);
  }

  return {
    has(key, nowMs) {
      const m = map.get(key);
      // Minute granularity rounds towards remembering a little longer (≤ 1 min), never shorter.
      return m !== undefined && m >= minute(nowMs) - windowMin;
    },
    add(key, receivedMs) {
      // Re-insert so insertion order keeps tracking receipt order (delete of an absent key is one
      // lookup, as cheap as the has() it replaces: this runs per stored event).
      map.delete(key);
      map.set(key, minute(receivedMs));
      // Evict in slices of 1 % so a full index does not pay an eviction on every add.
      if (map.size > opts.maxIds) evictOldest(Math.max(map.size - opts.maxIds, Math.ceil(opts.maxIds / 100)));
    },
    sweep(nowMs) {
      const cutoff = minute(nowMs) - windowMin;
      let n = 0;
      for (const [k, m] of map) {
        if (m >= cutoff) break;
        map.delete(k);
        n++;
      }
      return n;
    },
    size: () => map.size,
  };
}
