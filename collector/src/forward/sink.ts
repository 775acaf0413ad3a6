import type { LogRecord } from '../logstore/index.js';

/** One stored event on its way to a sink: the parsed event and the line as stored. */
export type ForwardRecord = LogRecord & { event: NonNullable<LogRecord['event']> };

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
