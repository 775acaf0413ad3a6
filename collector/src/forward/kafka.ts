import type { KafkaConfig } from './config.js';
import type { ForwardRecord, Sink } from './sink.js';
import { userKey } from './sink.js';

/** Header on every message: the stored line's wire-format version (packages/protocol). */
export const SCHEMA_VERSION = '1';
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * Bytes of keys and values per produce request. A broker refuses a record batch above its
 * `message.max.bytes` (1 MB by default) and a batch enlarged to catch up can be several MB, so the
 * sink splits it; each part is acknowledged before the next goes (order kept within a partition).
 */
const MAX_REQUEST_BYTES = 768 * 1024;
/** One headers object for every message: nothing allocated per event for it. */
const HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'tally-schema': SCHEMA_VERSION });

/**
 * Kafka through kafkajs, imported only when Kafka is configured (a collector without Kafka never
 * loads it). Key = the user key, so one user's events stay ordered in one partition; value = the
 * stored JSON line unchanged. Idempotent producer (acks=all, one in-flight request): the broker
 * drops a retried duplicate within a producer session; across restarts `event_id` deduplicates.
 */
export async function kafkaSink(c: KafkaConfig, onNotice: (msg: string, fields: Record<string, unknown>) => void = () => {}): Promise<Sink> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: c.clientId,
    brokers: c.brokers,
    ssl: c.tls,
    sasl: c.sasl as never,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: 5_000,
    // The forwarder owns retrying (with its metrics and backoff); kafkajs only retries briefly.
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
    logLevel: logLevel.NOTHING,
  });
  let idempotent = true;
  let producer = kafka.producer({ idempotent, maxInFlightRequests: 1, allowAutoTopicCreation: true });
  let connected: Promise<void> | undefined;
  const connect = (): Promise<void> => {
    connected ??= producer.connect().catch(async (err: unknown): Promise<void> => {
      connected = undefined;
      // A broker that cannot hand out producer ids (no controller in its metadata — librdkafka's mock
      // cluster — or idempotence not allowed to this principal) gets a plain producer: acks=all and
      // one request in flight keep order; duplicates are left to event_id, as across restarts.
      const name = (err as Error).name;
      const type = (err as { type?: string }).type ?? '';
      if (idempotent && (name === 'KafkaJSBrokerNotFound' || /CLUSTER_AUTHORIZATION|UNSUPPORTED|NOT_ENABLED/.test(type))) {
        idempotent = false;
        onNotice('kafka: broker does not support the idempotent producer; using acks=all without it', { error: (err as Error).message });
        await producer.disconnect().catch(() => {});
        producer = kafka.producer({ idempotent: false, maxInFlightRequests: 1, allowAutoTopicCreation: true });
        return connect();
      }
      throw err;
    });
    return connected;
  };
  const send = async (topic: string, messages: Message[]) => {
    await connect();
    try {
      await producer.send({ topic, acks: -1, messages });
    } catch (err) {
      // A broken connection is rebuilt on the next attempt.
      connected = undefined;
      await producer.disconnect().catch(() => {});
      throw err;
    }
  };
  return {
    name: 'kafka',
    async send(batch: ForwardRecord[]) {
      if (batch.length === 0) return;
      for (const part of requestParts(batch, MAX_REQUEST_BYTES)) await send(c.topic, part);
    },
    async erase(keys: string[], at: Date) {
      if (keys.length === 0) return;
      // One record per erasure: the keys the person's events were published under, and when. Nothing else.
      const value = JSON.stringify({ type: 'erasure', keys, erased_at: at.toISOString() });
      await send(c.controlTopic, [{ key: keys[0]!, value, headers: { 'tally-schema': SCHEMA_VERSION, 'tally-control': 'erasure' } }]);
    },
    close: async () => {
      await producer.disconnect().catch(() => {});
    },
  };
}

type Message = { key: string; value: string; headers: Readonly<Record<string, string>> };

/** The batch as Kafka messages, in order, in parts of at most `maxBytes` of keys and values (a larger single message is a part of its own). */
export function requestParts(batch: ForwardRecord[], maxBytes: number): Message[][] {
  const parts: Message[][] = [];
  let part: Message[] = [];
  let bytes = 0;
  for (const r of batch) {
    const key = userKey(r.event);
    const size = Buffer.byteLength(key) + Buffer.byteLength(r.line) + 64; // + record overhead and header
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push({ key, value: r.line, headers: HEADERS });
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
