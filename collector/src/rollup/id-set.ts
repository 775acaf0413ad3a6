/**
 * An exact set of event ids in flat memory. A `Set<string>` costs ≈100 bytes per id (string
 * header, hash-table entry, GC bookkeeping) and its 2 M strings of a busy day keep the garbage
 * collector busy; here an id is a few bytes in one growing arena plus a 4-byte slot in an
 * open-addressing table: a UUID takes 18 bytes + ≤16 bytes of table (load ≤ ½), a 13-character id
 * 15 + 16. Exact: a hash match is confirmed by comparing the stored bytes, never assumed.
 *
 * Encoding (first byte = kind, second = byte length): a lower-case UUID as its 16 bytes, a
 * one-byte string as its latin1 bytes, anything else as UTF-16 code units (event ids are ≤ 64
 * characters, so ≤ 128 bytes).
 */
export interface IdSet {
  /** Adds `id`; false when it was already in the set. */
  add(id: string): boolean;
  has(id: string): boolean;
  readonly size: number;
  /** Bytes held (arena + table). */
  readonly bytes: number;
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
// Lower case only: packing folds case, and an upper-case UUID must stay distinct from its lower-case twin.
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

const scratch = new Uint8Array(2 + 128);

function hexAt(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  if (a >= 128 || b >= 128) return -1;
  const x = HEX[a]!;
  const y = HEX[b]!;
  return x < 0 || y < 0 ? -1 : (x << 4) | y;
}

/** Writes the encoding of `id` into `scratch`; returns its total length (header included). */
function encode(id: string): number {
  const len = id.length;
  if (len === 36 && id.charCodeAt(8) === 45 && id.charCodeAt(13) === 45 && id.charCodeAt(18) === 45 && id.charCodeAt(23) === 45) {
    let o = 2;
    let ok = true;
    for (let i = 0; i < 36 && ok; ) {
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        i++;
        continue;
      }
      const v = hexAt(id, i);
      if (v < 0) ok = false;
      else scratch[o++] = v;
      i += 2;
    }
    if (ok) {
      scratch[0] = 1;
      scratch[1] = 16;
      return 18;
    }
  }
  let oneByte = true;
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    if (c > 255) {
      oneByte = false;
      break;
    }
    scratch[2 + i] = c;
  }
  if (oneByte) {
    scratch[0] = 2;
    scratch[1] = len;
    return 2 + len;
  }
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    scratch[2 + 2 * i] = c & 0xff;
    scratch[3 + 2 * i] = c >>> 8;
  }
  scratch[0] = 3;
  scratch[1] = 2 * len;
  return 2 + 2 * len;
}

function hash(n: number): number {
  // FNV-1a over the encoded bytes.
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ scratch[i]!, 0x01000193);
  return h >>> 0;
}

export function createIdSet(initialIds = 1024): IdSet {
  let cap = 16;
  while (cap < initialIds * 2) cap *= 2;
  // Slot = arena offset + 1 (0 = empty).
  let table = new Int32Array(cap);
  let arena = new Uint8Array(Math.max(256, initialIds * 20));
  let used = 0;
  let size = 0;

  function same(at: number, n: number): boolean {
    for (let i = 0; i < n; i++) if (arena[at + i] !== scratch[i]) return false;
    return true;
  }

  function find(n: number, h: number): number {
    const mask = cap - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const v = table[s]!;
      if (v === 0) return -1 - s;
      const at = v - 1;
      if (arena[at + 1]! + 2 === n && same(at, n)) return s;
    }
  }

  function rehash(): void {
    const old = table;
    cap *= 2;
    table = new Int32Array(cap);
    const mask = cap - 1;
    for (let i = 0; i < old.length; i++) {
      const v = old[i]!;
      if (v === 0) continue;
      const at = v - 1;
      const n = arena[at + 1]! + 2;
      let h = 0x811c9dc5;
      for (let k = 0; k < n; k++) h = Math.imul(h ^ arena[at + k]!, 0x01000193);
      let s = (h >>> 0) & mask;
      while (table[s] !== 0) s = (s + 1) & mask;
      table[s] = v;
    }
  }

  return {
    add(id) {
      const n = encode(id);
      const s = find(n, hash(n));
      if (s >= 0) return false;
      if (used + n > arena.length) {
        const a = new Uint8Array(Math.max(arena.length * 2, used + n));
        a.set(arena.subarray(0, used));
        arena = a;
      }
      arena.set(scratch.subarray(0, n), used);
      table[-1 - s] = used + 1;
      used += n;
      size++;
      if (size * 2 > cap) rehash();
      return true;
    },
    has(id) {
      const n = encode(id);
      return find(n, hash(n)) >= 0;
    },
    get size() {
      return size;
    },
    get bytes() {
      return arena.byteLength + table.byteLength;
    },
  };
}

/**
 * Event ids per app: the log deduplicates per app (the ledger's key), so the same id from two apps
 * is two events and must be counted twice. Events of no app and of "default" share one set.
 */
export interface AppIdSets {
  add(app: string | undefined, id: string): boolean;
}

export function createAppIdSets(): AppIdSets {
  const main = createIdSet();
  let others: Map<string, IdSet> | undefined;
  return {
    add(app, id) {
      if (app === undefined || app === '' || app === 'default') return main.add(id);
      others ??= new Map();
      let set = others.get(app);
      if (set === undefined) others.set(app, (set = createIdSet()));
      return set.add(id);
    },
  };
}
