import type { ClickHouseConfig } from './config.js';

/**
 * The ClickHouse table the forwarder fills. Types both ClickHouse 18.16 (Debian) and current
 * releases accept: no DateTime64 (event time to the millisecond is `time_ms`), no LowCardinality.
 * ReplacingMergeTree with `event_id` last in the sort key: a re-sent event (at-least-once) has the
 * same line, so the same key, and collapses at merge time (`FINAL` or `OPTIMIZE ... FINAL` forces it).
 * Partitioned by month of the event time; table TTL needs ClickHouse ≥ 19.6, so it is left out for
 * older servers (the retention purge of the collector does not reach ClickHouse there).
 */
export function clickhouseDdl(c: Pick<ClickHouseConfig, 'database' | 'table'>, retentionDays: number, withTtl = true): string {
  const ttl = withTtl ? `\nTTL time + INTERVAL ${retentionDays} DAY` : '';
  return `CREATE TABLE IF NOT EXISTS ${c.database}.${c.table}
(
    event_id String,
    app String,
    event_type String,
    feature String,
    user_key String,
    user_id String,
    anonymous_id String,
    session_id String,
    time DateTime('UTC'),
    time_ms UInt64,
    received_at DateTime('UTC'),
    ts String,
    url String,
    app_version String,
    platform String,
    os String,
    browser String,
    device_type String,
    locale String,
    timezone String,
    screen String,
    referrer String,
    title String,
    sdk_name String,
    sdk_version String,
    metadata String,
    consent String,
    clamped UInt8
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (app, toDate(time), event_type, user_key, event_id)${ttl}`;
}

/** Table TTL appeared in ClickHouse 19.6. */
export function supportsTtl(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 19 || (major === 19 && minor >= 6);
}
