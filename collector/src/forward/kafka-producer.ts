import { createRequire } from 'node:module';
import type { KafkaConfig } from './config.js';
import { encodeProduce, frameRequest, frameRoom, murmur2, type KafkaRecord, type PartitionBatch } from './kafka-batch.js';

/**
 * The Kafka producer of the forwarder: kafkajs 2.2.4 (pinned; its last release) for what it does
 * well — connections, TLS, SASL, metadata, the partition leaders, InitProducerId — and the Produce
 * request encoded here in one pass (kafka-batch.ts) and sent on kafkajs's broker connection: its own
 * per-message encoding cost several times the whole ingestion of an event. Reached through kafkajs's
 * internal modules (`src/cluster`, the Produce v3 response decoder), which the exact
 * version pin keeps stable; `kafka-batch.test.ts` and the broker tests in forward.servers.test.ts
 * hold it to kafkajs's bytes and to a real broker.
 *
 * Idempotent producer (acks=all, one request in flight per broker): a producer id from
 * InitProducerId and a sequence number per partition, so the broker drops a batch it already has.
 * Any failure drops the session (connections, producer id, sequences); the next send starts a new
 * one and the forwarder re-sends the batch — at-least-once, with `event_id` to deduplicate across
 * sessions, as across restarts. A broker that hands out no producer id (not allowed to this
 * principal, too old) gets acks=all without it.
 */

const require = createRequire(import.meta.url);

/**
 * kafkajs frames every request (`protocol/request.js`) by copying the body into a zero-filled
 * buffer of the next power of two, twice; for a Produce request that is its whole size, twice per
 * send. A request that carries `PREFRAMED` brings a body with room in front for the framing, which
 * is written there instead (frameRequest, checked against kafkajs's bytes in kafka-batch.test.ts);
 * every other request goes to kafkajs's own function. Installed before kafkajs's connection module
 * loads (it keeps the function it finds); if something loaded it earlier, requests are framed by
 * kafkajs as before, since each still has its `encode`.
 */
const PREFRAMED = Symbol('tally.preframed');
type CreateRequest = (o: { correlationId: number; clientId: string | null; request: Record<string | symbol, unknown> }) => Promise<{ buffer: Buffer }>;
const requestModule = require.resolve('kafkajs/src/protocol/request.js');
const kafkajsCreateRequest = require(requestModule) as CreateRequest;
if (!(kafkajsCreateRequest as { tally?: true }).tally) {
  const framed: CreateRequest = (o) => {
    const pre = o.request[PREFRAMED] as ((correlationId: number, clientId: string | null) => Buffer | undefined) | undefined;
    const buffer = pre?.(o.correlationId, o.clientId);
    return buffer ? Promise.resolve({ buffer }) : kafkajsCreateRequest(o);
  };
  require.cache[requestModule]!.exports = Object.assign(framed, { tally: true as const });
}

interface PartitionMetadata {
  partitionId: number;
  leader: number;
}
interface Broker {
  connectionPool: { send(req: { request: unknown; response: unknown }): Promise<unknown> };
  versions?: Record<number, { minVersion: number; maxVersion: number }> | null;
  initProducerId(o: { transactionTimeout: number }): Promise<{ producerId: string; producerEpoch: number }>;
}
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  findBroker(o: { nodeId: number }): Promise<Broker>;
}

const kafkajs = {
  Cluster: require('kafkajs/src/cluster/index.js') as new (o: Record<string, unknown>) => Cluster,
  createLogger: (require('kafkajs/src/loggers/index.js') as { createLogger(o: Record<string, unknown>): unknown }).createLogger,
  produceV3Response: require('kafkajs/src/protocol/requests/produce/v3/response.js') as unknown,
  socketFactory: require('kafkajs/src/network/socketFactory.js') as () => unknown,
};

const PRODUCE = 0;
const PRODUCE_VERSION = 3;
const ACKS_ALL = -1;
/** InitProducerId asks for one; it only matters to transactions. */
const TRANSACTION_TIMEOUT_MS = 60_000;
const SEQUENCE_WRAP = 2 ** 31;

export interface Producer {
  /**
   * Sends `records` to `topic`, partitioned by key, each with `headers` (from `encodeHeaders`);
   * resolves once every partition's leader acknowledged.
   */
  send(topic: string, records: readonly KafkaRecord[], headers: Buffer): Promise<void>;
  /** True while sending with a producer id, false once the broker handed none out; undefined before the first send. */
  idempotent(): boolean | undefined;
  close(): Promise<void>;
}

export interface ProducerOptions {
  config: KafkaConfig;
  requestTimeoutMs: number;
  onNotice(msg: string, fields: Record<string, unknown>): void;
}

interface Session {
  cluster: Cluster;
  topics: Set<string>;
  producerId: bigint;
  producerEpoch: number;
  /** Next sequence number per `topic:partition` (idempotent producer only). */
  sequences: Map<string, number>;
}

export function createProducer(o: ProducerOptions): Producer {
  let session: Promise<Session> | undefined;
  let idempotent = true;
  let sent = false;

  const newCluster = () =>
    new kafkajs.Cluster({
      logger: kafkajs.createLogger({ level: 0, logCreator: () => () => {} }),
      socketFactory: kafkajs.socketFactory(),
      brokers: o.config.brokers,
      ssl: o.config.tls,
      sasl: o.config.sasl,
      clientId: o.config.clientId,
      connectionTimeout: 5_000,
      requestTimeout: o.requestTimeoutMs,
      enforceRequestTimeout: true,
      // The forwarder owns retrying (with its metrics and backoff); kafkajs only retries briefly.
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
      allowAutoTopicCreation: true,
      maxInFlightRequests: 1,
      metadataMaxAge: 300_000,
    });

  async function open(): Promise<Session> {
    const cluster = newCluster();
    try {
      await cluster.connect();
      const s: Session = { cluster, topics: new Set(), producerId: -1n, producerEpoch: 0, sequences: new Map() };
      if (idempotent) {
        // Any broker hands out producer ids to a non-transactional producer (kafkajs asks the
        // controller, which librdkafka's mock cluster does not name).
        const broker = await cluster.findBroker({ nodeId: await anyNode(cluster) });
        try {
          const r = await broker.initProducerId({ transactionTimeout: TRANSACTION_TIMEOUT_MS });
          s.producerId = BigInt(r.producerId);
          s.producerEpoch = r.producerEpoch;
        } catch (err) {
          const type = (err as { type?: string }).type ?? '';
          const name = (err as Error).name;
          if (!/CLUSTER_AUTHORIZATION|UNSUPPORTED|NOT_ENABLED|INVALID_REQUEST/.test(type) && !/NotImplemented|DoesNotSupport/.test(name)) throw err;
          idempotent = false;
          o.onNotice('kafka: broker does not support the idempotent producer; using acks=all without it', { error: (err as Error).message });
        }
      }
      return s;
    } catch (err) {
      await cluster.disconnect().catch(() => {});
      throw err;
    }
  }

  async function produce(s: Session, topic: string, records: readonly KafkaRecord[], headers: Buffer): Promise<void> {
    if (!s.topics.has(topic)) {
      await s.cluster.addTargetTopic(topic);
      s.topics.add(topic);
    }
    await s.cluster.refreshMetadataIfNecessary();
    let meta = s.cluster.findTopicPartitionMetadata(topic);
    if (meta.length === 0) {
      await s.cluster.refreshMetadata();
      meta = s.cluster.findTopicPartitionMetadata(topic);
      if (meta.length === 0) throw new Error(`kafka: no partitions known for topic ${topic}`);
    }
    const count = meta.length;
    const byPartition = new Map<number, KafkaRecord[]>();
    for (const r of records) {
      // The Java client's key hash: a key lands in the partition any Kafka client would pick for it.
      const p = (murmur2(r.key, r.keyAt, r.keyAt + r.keyLen) & 0x7fffffff) % count;
      const list = byPartition.get(p);
      if (list) list.push(r);
      else byPartition.set(p, [r]);
    }
    const byLeader = new Map<number, PartitionBatch[]>();
    for (const [partition, recs] of byPartition) {
      const leader = meta.find((m) => m.partitionId === partition)?.leader;
      if (leader === undefined || leader < 0) throw new Error(`kafka: partition ${partition} of ${topic} has no leader`);
      const firstSequence = s.producerId >= 0n ? (s.sequences.get(`${topic}:${partition}`) ?? 0) : -1;
      const list = byLeader.get(leader) ?? [];
      list.push({ partition, records: recs, firstSequence });
      byLeader.set(leader, list);
    }
    const timestamp = Date.now();
    await Promise.all(
      [...byLeader].map(async ([nodeId, parts]) => {
        const broker = await s.cluster.findBroker({ nodeId });
        const v = broker.versions?.[PRODUCE];
        if (v && (v.minVersion > PRODUCE_VERSION || v.maxVersion < PRODUCE_VERSION)) throw new Error(`kafka: broker ${nodeId} does not accept Produce v${PRODUCE_VERSION} (it takes v${v.minVersion}–v${v.maxVersion})`);
        const room = frameRoom(o.config.clientId);
        const framed = encodeProduce(topic, ACKS_ALL, o.requestTimeoutMs, parts, headers, { timestamp, producerId: s.producerId, producerEpoch: s.producerEpoch }, room);
        const body = framed.subarray(room);
        await broker.connectionPool.send({
          request: {
            apiKey: PRODUCE,
            apiVersion: PRODUCE_VERSION,
            apiName: 'Produce',
            expectResponse: () => true,
            encode: async () => ({ buf: body, buffer: body }),
            // The connection's client id is the cluster's (o.config.clientId); another one gets kafkajs's framing.
            [PREFRAMED]: (correlationId: number, clientId: string | null) => (clientId === o.config.clientId ? frameRequest(framed, PRODUCE, PRODUCE_VERSION, correlationId, clientId) : undefined),
          },
          response: kafkajs.produceV3Response,
        });
        if (s.producerId >= 0n) for (const p of parts) s.sequences.set(`${topic}:${p.partition}`, (p.firstSequence + p.records.length) % SEQUENCE_WRAP);
      }),
    );
  }

  return {
    async send(topic, records, headers) {
      if (records.length === 0) return;
      session ??= open();
      const s = await session.catch((err: unknown) => {
        session = undefined;
        throw err;
      });
      try {
        await produce(s, topic, records, headers);
        sent = s.producerId >= 0n || sent;
      } catch (err) {
        // Connections, producer id and sequences start afresh on the next send (which re-sends this batch).
        session = undefined;
        await s.cluster.disconnect().catch(() => {});
        throw err;
      }
    },
    idempotent: () => (idempotent ? (sent ? true : undefined) : false),
    async close() {
      const s = session;
      session = undefined;
      if (s) await (await s.catch(() => undefined))?.cluster.disconnect().catch(() => {});
    },
  };
}

async function anyNode(cluster: Cluster & { getNodeIds?(): number[] }): Promise<number> {
  let ids = cluster.getNodeIds?.() ?? [];
  if (ids.length === 0) {
    await cluster.refreshMetadata();
    ids = cluster.getNodeIds?.() ?? [];
  }
  if (ids.length === 0) throw new Error('kafka: the cluster named no broker');
  return ids[0]!;
}
