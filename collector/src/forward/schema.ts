import type { ClickHouseConfig } from './config.js';
import type { StoredEvent } from '@tally/protocol';
import { userKey } from './sink.js';

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

/**
 * `2026-11-20 12:00:00` (UTC): the DateTime text both old and new servers parse in JSONEachRow. The
 * stored times are `Date#toISOString` text, cut as they are; anything else goes through a Date.
 */
function dateTime(iso: string): string {
  if (iso.length === 24 && iso.charCodeAt(10) === 84 /* T */ && iso.charCodeAt(23) === 90 /* Z */) return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const ms = Date.parse(iso);
  return new Date(ms - (ms % 1000)).toISOString().slice(0, 19).replace('T', ' ');
}

const str = (v: string | null | undefined) => (v === undefined || v === null ? '""' : JSON.stringify(v));

/**
 * One stored event as a JSONEachRow row of the table above, as text: written field by field rather
 * than built as an object and stringified (the sink's hot path: every forwarded event passes here).
 */
export function clickhouseRow(e: StoredEvent): string {
  const c = e.context ?? {};
  return (
    `{"event_id":${JSON.stringify(e.event_id)},"app":${str(e.app)},"event_type":${JSON.stringify(e.event_type)},"feature":${str(e.feature)}` +
    `,"user_key":${JSON.stringify(userKey(e))},"user_id":${str(e.user_id)},"anonymous_id":${str(e.anonymous_id)},"session_id":${str(e.session_id)}` +
    `,"time":"${dateTime(e.time)}","time_ms":${Date.parse(e.time)},"received_at":"${dateTime(e.received_at)}","ts":${JSON.stringify(e.ts)},"url":${str(e.url)}` +
    `,"app_version":${str(c.app_version)},"platform":${str(c.platform)},"os":${str(c.os)},"browser":${str(c.browser)},"device_type":${str(c.device_type)}` +
    `,"locale":${str(c.locale)},"timezone":${str(c.timezone)},"screen":${str(c.screen)},"referrer":${str(c.referrer)},"title":${str(c.title)}` +
    `,"sdk_name":${str(c.sdk?.name)},"sdk_version":${str(c.sdk?.version)}` +
    `,"metadata":${e.metadata === undefined ? '""' : JSON.stringify(JSON.stringify(e.metadata))},"consent":${e.consent === undefined ? '""' : JSON.stringify(JSON.stringify(e.consent))}` +
    `,"clamped":${e.clamped === true ? 1 : 0}}`
  );
}
