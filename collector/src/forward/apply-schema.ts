import type { ClickHouseConfig } from './config.js';

/**
 * `collector clickhouse-schema --apply`. The ClickHouse client is loaded here only when asked for, so
 * that importing forward/ (every `serve`) does not load it.
 */
export async function applyClickHouseSchema(c: ClickHouseConfig, retentionDays: number): Promise<{ version: string; ddl: string; ttl: boolean }> {
  return (await import('./clickhouse.js')).applySchema(c, retentionDays);
}
