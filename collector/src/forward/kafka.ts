import type { KafkaConfig } from './config.js';
import type { ForwardRecord, Sink } from './sink.js';
import { encodeHeaders, kafkaRecord, type KafkaRecord } from './kafka-batch.js';

/** Header on every message: the stored line's wire-format version (packages/protocol). */
export const SCHEMA_VERSION = '1';
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * Bytes of keys and values per produce request. A broker refuses a record batch above its
 * `message.max.bytes` (1 MB by default) and a batch enlarged to catch up can be several MB, so the
 * sink splits it; each part is acknowledged before the next goes (order kept within a partition).
 */
const MAX_REQUEST_BYTES = 768 * 1024;
/** Encoded once: every event record carries the same header, every erasure record the same two. */
const HEADERS = encodeHeaders({ 'tally-schema': SCHEMA_VERSION });
const CONTROL_HEADERS = encodeHeaders({ 'tally-schema': SCHEMA_VERSION, 'tally-control': 'erasure' });

/**
 * Kafka, loaded only when Kafka is configured (a collector without Kafka never loads kafkajs). Key =
 * the user key, so one user's events stay ordered in one partition; value = the stored JSON line
 * unchanged. Idempotent producer (acks=all, one request in flight) where the broker hands out
 * producer ids: see kafka-producer.ts.
 */
export async function kafkaSink(c: KafkaConfig, onNotice: (msg: string, fields: Record<string, unknown>) => void = () => {}): Promise<Sink> {
  const { createProducer } = await import('./kafka-producer.js');
  const producer = createProducer({ config: c, requestTimeoutMs: REQUEST_TIMEOUT_MS, onNotice });
  return {
    name: 'kafka',
    async send(batch: ForwardRecord[]) {
      for (const part of requestParts(batch, MAX_REQUEST_BYTES)) await producer.send(c.topic, part, HEADERS);
    },
    async erase(keys: string[], at: Date) {
      if (keys.length === 0) return;
      // One record per erasure: the keys the person's events were published under, and when. Nothing else.
      const value = JSON.stringify({ type: 'erasure', keys, erased_at: at.toISOString() });
      await producer.send(c.controlTopic, [kafkaRecord(Buffer.from(keys[0]!), Buffer.from(value))], CONTROL_HEADERS);
    },
    close: () => producer.close(),
  };
}

/** The batch as Kafka records, in order, in parts of at most `maxBytes` of keys and values (a larger single record is a part of its own). */
export function requestParts(batch: ForwardRecord[], maxBytes: number): KafkaRecord[][] {
  const parts: KafkaRecord[][] = [];
  let part: KafkaRecord[] = [];
  let bytes = 0;
  for (const r of batch) {
    const size = r.keyLen + r.len + 64; // + record overhead and header
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(r);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
