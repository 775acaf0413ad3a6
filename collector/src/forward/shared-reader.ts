import type { LineCheck, LogRecord } from '../logstore/index.js';
import { lineEncoder } from './encode.js';
import type { ForwardRecord } from './sink.js';

/** The part of the log store a reader needs: its one line reader, from a byte offset (with the reader's own line check). */
export interface RecordSource {
  readChunksFrom<E>(day: string, from: number, chunk: number, check: LineCheck<E>): AsyncGenerator<LogRecord<E>[]>;
}

/** Bytes read ahead per read: ≈ 1000 typical lines, not the 4 MiB a full-file scan uses. */
const READ_CHUNK = 512 * 1024;

/** A line of the log as forwarders keep it (see ForwardRecord): `key` is undefined for a corrupt line (reported by the log's reader). */
export type TailRecord = Omit<ForwardRecord, 'key'> & { key: Buffer | undefined };

const NONE = Buffer.alloc(0);
const corrupt = (end: number): TailRecord => ({ line: NONE, at: 0, len: 0, key: undefined, keyAt: 0, keyLen: 0, rows: NONE, rowAt: 0, rowLen: 0, end });

export interface SharedReader {
  /** Up to `max` records of `day` from byte `from` (a line end an earlier read yielded), in order. */
  read(day: string, from: number, max: number): Promise<TailRecord[]>;
  /** Forgets what was read: the day file was rewritten (erasure), its offsets moved. */
  reset(): void;
}

/**
 * Reads the log once for all sinks. Forwarders usually sit at the same place (the tail), so the
 * records one of them reads — each line scanned once, which checks it and writes what every sink
 * sends (encode.ts) — stay in a window for the others: a second sink costs its send, not another
 * read and scan. A sink that fell behind the
 * window (down, catching up) reads on its own and leaves the window to the others; the window holds
 * at most `maxWindow` records (older ones are dropped as it grows).
 */
export function createSharedReader(log: RecordSource, maxWindow: number, rows = true): SharedReader {
  const check = lineEncoder(rows);
  let win: { day: string; start: number; records: TailRecord[] } | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const endOf = (w: { start: number; records: TailRecord[] }) => (w.records.length > 0 ? w.records[w.records.length - 1]!.end : w.start);

  /** Index of the record starting at `from`, or -1 when `from` is not a line start in the window. */
  function indexAt(w: { start: number; records: TailRecord[] }, from: number): number {
    if (from === w.start) return 0;
    let lo = 0;
    let hi = w.records.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const end = w.records[mid]!.end;
      if (end === from) return mid + 1;
      if (end < from) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  async function readInto(day: string, from: number, max: number, into: TailRecord[]): Promise<void> {
    let n = 0;
    if (max <= 0) return;
    // Whole chunks: the lines of a chunk beyond `max` are scanned already, and stay for the next read.
    for await (const rs of log.readChunksFrom(day, from, READ_CHUNK, check)) {
      for (const r of rs) {
        const rec = r.event;
        if (rec === undefined) into.push(corrupt(r.end));
        else {
          rec.end = r.end;
          into.push(rec);
        }
      }
      n += rs.length;
      if (n >= max) break;
    }
  }

  async function read(day: string, from: number, max: number): Promise<TailRecord[]> {
    if (win !== undefined && (day < win.day || (day === win.day && from < win.start))) {
      const own: TailRecord[] = [];
      await readInto(day, from, max, own);
      return own.length > max ? own.slice(0, max) : own;
    }
    let w = win;
    let i = w !== undefined && w.day === day ? indexAt(w, from) : -1;
    if (w === undefined || i < 0) {
      w = win = { day, start: from, records: [] };
      i = 0;
    }
    const have = w.records.length - i;
    if (have < max) await readInto(day, endOf(w), max - have, w.records);
    const out = w.records.slice(i, i + max);
    // Trimmed in steps (not per read): dropping the front of a large array is a copy.
    if (w.records.length > 2 * maxWindow) {
      const drop = w.records.length - maxWindow;
      w.start = w.records[drop - 1]!.end;
      w.records = w.records.slice(drop);
    }
    return out;
  }

  return {
    read(day, from, max) {
      // One read at a time: the second sink waits for the first one's read and is served from it.
      const p = queue.then(() => read(day, from, max));
      queue = p.catch(() => {});
      return p;
    },
    reset() {
      win = undefined;
    },
  };
}
