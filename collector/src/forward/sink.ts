/**
 * One stored event on its way to a sink: the stored line's bytes, its user key, and where the line
 * ends. Neither the parsed event nor the line as a string is kept: records wait in the shared
 * reader's window and in batches long enough to outlive V8's young generation, and copying them out
 * of it cost more CPU in garbage collection than the rest of forwarding (docs/benchmarks.md). The
 * bytes stay outside the JS heap; a sink that needs fields parses the line again, into garbage
 * that dies young.
 */
export interface ForwardRecord {
  bytes: Buffer;
  key: string;
  end: number;
}

/** A destination for the event log. `send` resolves only once the sink acknowledged the whole batch. */
export interface Sink {
  readonly name: 'kafka' | 'clickhouse';
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
