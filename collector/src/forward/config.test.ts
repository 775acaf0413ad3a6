import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.js';

describe('forwarder configuration', () => {
  it('is off unless a sink is configured; defaults as documented', () => {
    expect(loadConfig({}).forward).toEqual({ batchSize: 1000, lingerMs: 1000, priority: 'idle', kafka: undefined, clickhouse: undefined });
    const c = loadConfig({ TALLY_KAFKA_BROKERS: 'k1:9092, k2:9093', TALLY_CLICKHOUSE_URL: 'http://127.0.0.1:8123' }).forward;
    expect(c.kafka).toEqual({ brokers: ['k1:9092', 'k2:9093'], topic: 'tally.events', controlTopic: 'tally.control', clientId: 'tally-collector', tls: false, sasl: undefined });
    expect(c.clickhouse).toEqual({ url: 'http://127.0.0.1:8123', database: 'default', table: 'events', username: 'default', password: '' });
    expect(loadConfig({ TALLY_FORWARD_PRIORITY: '0' }).forward.priority).toBe(0);
    expect(loadConfig({ TALLY_FORWARD_PRIORITY: '10' }).forward.priority).toBe(10);
  });

  it('takes SASL only whole', () => {
    const env = { TALLY_KAFKA_BROKERS: 'k:9092', TALLY_KAFKA_SASL_MECHANISM: 'scram-sha-512', TALLY_KAFKA_TLS: 'on' };
    expect(() => loadConfig(env)).toThrow(/TALLY_KAFKA_SASL_USERNAME and TALLY_KAFKA_SASL_PASSWORD/);
    expect(loadConfig({ ...env, TALLY_KAFKA_SASL_USERNAME: 'u', TALLY_KAFKA_SASL_PASSWORD: 'p' }).forward.kafka).toMatchObject({ tls: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
  });

  it.each([
    ['TALLY_KAFKA_BROKERS', 'localhost'],
    ['TALLY_KAFKA_TOPIC', 'a topic'],
    ['TALLY_KAFKA_SASL_MECHANISM', 'gssapi'],
    ['TALLY_CLICKHOUSE_URL', 'clickhouse://x'],
    ['TALLY_CLICKHOUSE_TABLE', 'events; DROP TABLE x'],
    ['TALLY_CLICKHOUSE_DATABASE', 'a-b'],
    ['TALLY_FORWARD_BATCH', '0'],
    ['TALLY_FORWARD_LINGER_MS', 'soon'],
    ['TALLY_FORWARD_PRIORITY', '20'],
    ['TALLY_FORWARD_PRIORITY', '-5'],
    ['TALLY_FORWARD_PRIORITY', 'low'],
  ])('%s=%s is refused, naming the variable', (name, value) => {
    try {
      loadConfig({ [name]: value });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.join()).toContain(name);
    }
  });
});
