/**
 * One stored event on its way to a sink, as offsets into buffers outside the JS heap, written when
 * the line was read (encode.ts): the stored line (Kafka's value) in the read chunk, the user key as
 * UTF-8 (Kafka's key; usually inside the line), the ClickHouse row (RowBinary; empty without a
 * ClickHouse sink) in a slab of rows, and where the line ends. Records wait in the shared reader's
 * window and in batches long enough to outlive V8's young generation: copying parsed events,
 * strings, or even a Buffer view per field out of it cost more CPU in garbage collection than the
 * rest of forwarding (docs/benchmarks.md), so a record is one object of numbers and shared buffers.
 */
export interface ForwardRecord {
  line: Buffer;
  at: number;
  len: number;
  key: Buffer;
  keyAt: number;
  keyLen: number;
  rows: Buffer;
  rowAt: number;
  rowLen: number;
  end: number;
}

export const lineOf = (r: ForwardRecord): Buffer => r.line.subarray(r.at, r.at + r.len);
export const keyOf = (r: ForwardRecord): Buffer => r.key.subarray(r.keyAt, r.keyAt + r.keyLen);
export const rowOfRecord = (r: ForwardRecord): Buffer => r.rows.subarray(r.rowAt, r.rowAt + r.rowLen);

/** A destination for the event log. `send` resolves only once the sink acknowledged the whole batch. */
export interface Sink {
  readonly name: 'kafka' | 'clickhouse';
  /**
   * Every send has a large fixed cost at the server (ClickHouse writes a part per insert, and
   * merges it later): the forwarder sends at most once per linger, everything that waits up to
   * `SPACED_MAX_BATCH` events, instead of each batch as soon as it is full.
   */
  readonly spaced?: boolean;
  send(batch: ForwardRecord[]): Promise<void>;
  /**
   * Propagates an erasure: ClickHouse deletes the rows, Kafka publishes a control record. `keys` are
   * the erased id and its linked anonymous ids; resolves once the sink acknowledged it.
   */
  erase(keys: string[], at: Date): Promise<void>;
  close(): Promise<void>;
}

/** `user_id` else `anonymous_id`: the user key of docs/metrics.md, '' for an event with neither. */
export function userKey(e: { user_id?: string; anonymous_id?: string }): string {
  return e.user_id ?? e.anonymous_id ?? '';
}
