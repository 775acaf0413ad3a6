import type { StoredEvent } from '@tally/protocol';
import type { LineCheck } from '../logstore/index.js';
import { newSpans, scanLine } from './line-scan.js';
import { keyLoc, locateKey, RowSlab, rowOf, stringOf, writeRow } from './row-binary.js';
import type { ForwardRecord } from './sink.js';

const EMPTY = Buffer.alloc(0);

/**
 * The forwarder's check of each line, given to the log store's reader: one scan of the bytes
 * (line-scan.ts) decides validity, finds the user key and writes the ClickHouse row (`rows`: a
 * ClickHouse sink is configured), in the same pass, with no event object built. A line whose
 * fields have types no collector writes is parsed and encoded the reference way. The record's
 * `end` is the reader's to set (the check sees the line, not its file offset).
 */
export function lineEncoder(rows: boolean): LineCheck<ForwardRecord> {
  const spans = newSpans();
  const slab = new RowSlab();
  return (buf, start, end) => {
    if (!scanLine(buf, start, end, spans)) return undefined;
    if (locateKey(buf, spans) && (!rows || writeRow(buf, start, end, spans, slab))) {
      const row = rows ? slab.b : EMPTY;
      return { line: buf, at: start, len: end - start, key: keyLoc.buf, keyAt: keyLoc.at, keyLen: keyLoc.len, rows: row, rowAt: rows ? slab.start : 0, rowLen: rows ? slab.pos - slab.start : 0, end: -1 };
    }
    const e = JSON.parse(buf.toString('utf8', start, end)) as StoredEvent & Record<string, unknown>;
    const key = Buffer.from(stringOf(e.user_id ?? e.anonymous_id));
    const row = rows ? rowOf(e) : EMPTY;
    return { line: buf, at: start, len: end - start, key, keyAt: 0, keyLen: key.length, rows: row, rowAt: 0, rowLen: row.length, end: -1 };
  };
}

/** Validity only (a count of the backlog). */
export function lineValid(): LineCheck<true> {
  const spans = newSpans();
  return (buf, start, end) => (scanLine(buf, start, end, spans) ? true : undefined);
}
