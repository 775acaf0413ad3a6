import { z } from 'zod';
import type { ThreadPriority } from '../shared/index.js';

/** The forwarders' part of the collector configuration (`TALLY_KAFKA_*`, `TALLY_CLICKHOUSE_*`, `TALLY_FORWARD_*`). */
export interface KafkaConfig {
  brokers: string[];
  topic: string;
  /** Where erasure records go (Kafka cannot delete; consumers act on these). */
  controlTopic: string;
  clientId: string;
  tls: boolean;
  sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
}

export interface ClickHouseConfig {
  url: string;
  database: string;
  table: string;
  username: string;
  password: string;
}

export interface ForwardConfig {
  /** Events per batch sent to a sink. */
  batchSize: number;
  /** How long a forwarder waits for a batch to fill before sending a smaller one. */
  lingerMs: number;
  /**
   * Scheduling priority of the forwarder thread (Linux): a niceness 0–19, or 'idle' for SCHED_IDLE
   * (niceness 19 where that cannot be set). Ingestion answers senders and the forwarders only catch
   * up, so when the cores are busy the forwarders yield: their lag grows instead of ingestion's latency.
   */
  priority: ThreadPriority;
  kafka: KafkaConfig | undefined;
  clickhouse: ClickHouseConfig | undefined;
}

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ident = (name: string) => z.string().regex(IDENT, `${name} must be a plain identifier (letters, digits, _)`);
const topic = (name: string) => z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, `${name} must be a Kafka topic name ([A-Za-z0-9._-], at most 249)`);

/** Merged into the collector's environment schema (config/config.ts). */
export const FORWARD_ENV = {
  TALLY_KAFKA_BROKERS: z
    .string()
    .refine((v) => v.split(',').every((b) => /^[^\s:,]+:\d{1,5}$/.test(b.trim())), 'TALLY_KAFKA_BROKERS must be a comma list of host:port')
    .optional(),
  TALLY_KAFKA_TOPIC: topic('TALLY_KAFKA_TOPIC').default('tally.events'),
  TALLY_KAFKA_CONTROL_TOPIC: topic('TALLY_KAFKA_CONTROL_TOPIC').default('tally.control'),
  TALLY_KAFKA_CLIENT_ID: z.string().min(1).max(255).default('tally-collector'),
  TALLY_KAFKA_TLS: z.enum(['on', 'off'], { error: 'TALLY_KAFKA_TLS must be "on" or "off"' }).default('off'),
  TALLY_KAFKA_SASL_MECHANISM: z
    .enum(['plain', 'scram-sha-256', 'scram-sha-512'], { error: 'TALLY_KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512' })
    .optional(),
  TALLY_KAFKA_SASL_USERNAME: z.string().optional(),
  TALLY_KAFKA_SASL_PASSWORD: z.string().optional(),
  TALLY_CLICKHOUSE_URL: z.url({ protocol: /^https?$/, error: 'TALLY_CLICKHOUSE_URL must be an http(s) URL, e.g. http://127.0.0.1:8123' }).optional(),
  TALLY_CLICKHOUSE_DATABASE: ident('TALLY_CLICKHOUSE_DATABASE').default('default'),
  TALLY_CLICKHOUSE_TABLE: ident('TALLY_CLICKHOUSE_TABLE').default('events'),
  TALLY_CLICKHOUSE_USER: z.string().min(1).default('default'),
  TALLY_CLICKHOUSE_PASSWORD: z.string().default(''),
  TALLY_FORWARD_BATCH: int('TALLY_FORWARD_BATCH', 1, 100_000).default(1000),
  TALLY_FORWARD_LINGER_MS: int('TALLY_FORWARD_LINGER_MS', 0, 60_000).default(1000),
  TALLY_FORWARD_PRIORITY: z.union([z.literal('idle'), int('TALLY_FORWARD_PRIORITY', 0, 19)], { error: 'TALLY_FORWARD_PRIORITY must be idle or a whole number from 0 to 19' }).default('idle'),
};

type ForwardEnv = z.output<z.ZodObject<typeof FORWARD_ENV>>;

/** Builds the forwarders' configuration; throws a message naming the variable when SASL is half set. */
export function forwardConfig(e: ForwardEnv): ForwardConfig {
  let sasl: KafkaConfig['sasl'];
  if (e.TALLY_KAFKA_SASL_MECHANISM !== undefined) {
    if (e.TALLY_KAFKA_SASL_USERNAME === undefined || e.TALLY_KAFKA_SASL_PASSWORD === undefined) {
      throw new Error('TALLY_KAFKA_SASL_MECHANISM: needs TALLY_KAFKA_SASL_USERNAME and TALLY_KAFKA_SASL_PASSWORD');
    }
    sasl = { mechanism: e.TALLY_KAFKA_SASL_MECHANISM, username: e.TALLY_KAFKA_SASL_USERNAME, password: e.TALLY_KAFKA_SASL_PASSWORD };
  }
  return {
    batchSize: e.TALLY_FORWARD_BATCH,
    lingerMs: e.TALLY_FORWARD_LINGER_MS,
    priority: e.TALLY_FORWARD_PRIORITY,
    kafka:
      e.TALLY_KAFKA_BROKERS === undefined
        ? undefined
        : {
            brokers: e.TALLY_KAFKA_BROKERS.split(',').map((b) => b.trim()),
            topic: e.TALLY_KAFKA_TOPIC,
            controlTopic: e.TALLY_KAFKA_CONTROL_TOPIC,
            clientId: e.TALLY_KAFKA_CLIENT_ID,
            tls: e.TALLY_KAFKA_TLS === 'on',
            sasl,
          },
    clickhouse:
      e.TALLY_CLICKHOUSE_URL === undefined
        ? undefined
        : {
            url: e.TALLY_CLICKHOUSE_URL,
            database: e.TALLY_CLICKHOUSE_DATABASE,
            table: e.TALLY_CLICKHOUSE_TABLE,
            username: e.TALLY_CLICKHOUSE_USER,
            password: e.TALLY_CLICKHOUSE_PASSWORD,
          },
  };
}
