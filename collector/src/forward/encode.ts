import type { StoredEvent } from '@tally/protocol';
import type { LineCheck } from '../logstore/index.js';
import { newSpans, scanLine } from './line-scan.js';
import { keyBytes, RowSlab, rowOf, stringOf, writeRow } from './row-binary.js';

/** What the forwarder keeps of a valid line besides its bytes: the user key (Kafka) and its ClickHouse row, both UTF-8/RowBinary outside the JS heap. */
export interface Encoded {
  key: Buffer;
  row: Buffer;
}

const NO_ROW = Buffer.alloc(0);

/**
 * The forwarder's check of each line, given to the log store's reader: one scan of the bytes
 * (line-scan.ts) decides validity, finds the user key and writes the ClickHouse row (`rows`: a
 * ClickHouse sink is configured), in the same pass, with no event object built. A line whose
 * fields have types no collector writes is parsed and encoded the reference way.
 */
export function lineEncoder(rows: boolean): LineCheck<Encoded> {
  const spans = newSpans();
  const slab = new RowSlab();
  return (buf, start, end) => {
    if (!scanLine(buf, start, end, spans)) return undefined;
    const key = keyBytes(buf, spans);
    const row = key === undefined ? undefined : rows ? writeRow(buf, start, end, spans, slab) : NO_ROW;
    if (key !== undefined && row !== undefined) return { key, row };
    const e = JSON.parse(buf.toString('utf8', start, end)) as StoredEvent & Record<string, unknown>;
    return { key: Buffer.from(stringOf(e.user_id ?? e.anonymous_id)), row: rows ? rowOf(e) : NO_ROW };
  };
}

/** Validity only (a count of the backlog). */
export function lineValid(): LineCheck<true> {
  const spans = newSpans();
  return (buf, start, end) => (scanLine(buf, start, end, spans) ? true : undefined);
}
