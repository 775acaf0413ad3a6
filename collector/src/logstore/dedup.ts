/**
 * The set of `event_id`s stored in the last 48 hours (by `received_at`), so SDK retries are not
 * stored twice.
 *
 * Memory: one Map entry per id. UUIDs (what the SDKs send) are packed into a 16-character one-byte
 * string — about 32 bytes instead of 56 for the 36-character form — and the value is the receipt
 * minute as a small integer (stored inline, no allocation). With V8's map overhead that is ≈ 70 bytes
 * per id. `maxIds` caps the total: past it the oldest ids are forgotten early (and a warning is
 * logged), so memory stays bounded even when traffic outgrows the window. The default 5,000,000 ids
 * is ≈ 350 MB — 48 hours at ~29 events/s sustained; raise it with more memory.
 *
 * Map iteration is insertion order and ids arrive in receipt order, so expiry sweeps from the front
 * and stops at the first live entry. Lookups also check the age, so an entry the sweep has not
 * reached yet never blocks a legitimately new event.
 */
export interface DedupIndex {
  /** True when `id` was stored within the window ending at `nowMs`. */
  has(id: string, nowMs: number): boolean;
  add(id: string, receivedMs: number): void;
  /** Drops ids older than the window; returns how many were dropped. */
  sweep(nowMs: number): number;
  size(): number;
}

export interface DedupOptions {
  windowMs: number;
  maxIds: number;
  onEvictEarly?: (count: number) => void;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const codes = new Array<number>(16);

function hexVal(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

/** UUIDs become 16 one-byte chars (case-insensitive hex → bytes); anything else is kept verbatim. */
export function compactKey(id: string): { packed: boolean; key: string } {
  if (id.length !== 36 || !UUID.test(id)) return { packed: false, key: id };
  let j = 0;
  for (let i = 0; i < 36; ) {
    if (id.charCodeAt(i) === 45) {
      i++;
      continue;
    }
    codes[j++] = (hexVal(id.charCodeAt(i)) << 4) | hexVal(id.charCodeAt(i + 1));
    i += 2;
  }
  return { packed: true, key: String.fromCharCode.apply(null, codes) };
}

export function createDedupIndex(opts: DedupOptions): DedupIndex {
  // Two maps so a packed UUID can never collide with a verbatim id that happens to look like one.
  const packed = new Map<string, number>();
  const plain = new Map<string, number>();
  const windowMin = Math.ceil(opts.windowMs / 60_000);
  const minute = (ms: number) => Math.floor(ms / 60_000);

  const lookup = (id: string) => {
    const c = compactKey(id);
    return { map: c.packed ? packed : plain, key: c.key };
  };

  function sweepMap(map: Map<string, number>, cutoff: number): number {
    let n = 0;
    for (const [k, m] of map) {
      if (m >= cutoff) break;
      map.delete(k);
      n++;
    }
    return n;
  }

  function evictOldest(count: number): void {
    // Oldest first across both maps: compare the heads.
    let left = count;
    const a = packed.entries();
    const b = plain.entries();
    let x = a.next();
    let y = b.next();
    while (left > 0 && (!x.done || !y.done)) {
      if (!x.done && (y.done || x.value[1] <= y.value[1])) {
        packed.delete(x.value[0]);
        x = a.next();
      } else if (!y.done) {
        plain.delete(y.value[0]);
        y = b.next();
      }
      left--;
    }
    opts.onEvictEarly?.(count - left);
  }

  return {
    has(id, nowMs) {
      const { map, key } = lookup(id);
      const m = map.get(key);
      // Minute granularity rounds towards remembering a little longer (≤ 1 min), never shorter.
      return m !== undefined && m >= minute(nowMs) - windowMin;
    },
    add(id, receivedMs) {
      const { map, key } = lookup(id);
      // Re-insert so insertion order keeps tracking receipt order.
      map.delete(key);
      map.set(key, minute(receivedMs));
      const total = packed.size + plain.size;
      if (total > opts.maxIds) evictOldest(Math.max(total - opts.maxIds, Math.ceil(opts.maxIds / 100)));
    },
    sweep(nowMs) {
      const cutoff = minute(nowMs) - windowMin;
      return sweepMap(packed, cutoff) + sweepMap(plain, cutoff);
    },
    size: () => packed.size + plain.size,
  };
}
