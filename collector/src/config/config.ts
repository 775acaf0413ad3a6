import { z } from 'zod';
import { parseTrustedProxies, trustProxyEntries } from '../ingest/index.js';
import { FORWARD_ENV, forwardConfig, type ForwardConfig } from '../forward/index.js';

/**
 * Collector configuration, read once from the environment at start. Every variable has an embedded
 * default so `pnpm start` works on a fresh machine; a bad value names the variable and why.
 */
const bool = (name: string) =>
  z.enum(['on', 'off'], { error: `${name} must be "on" or "off"` }).transform((v) => v === 'on');

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const EnvSchema = z.object({
  TALLY_HOST: z.string().min(1).default('127.0.0.1'),
  TALLY_PORT: int('TALLY_PORT', 0, 65535).default(8787),
  TALLY_DATA_DIR: z.string().min(1).default('./data'),
  TALLY_DASH_KEY: z.string().min(16, 'TALLY_DASH_KEY must be at least 16 characters').optional(),
  TALLY_ALLOWED_ORIGINS: z.string().min(1).default('*'),
  TALLY_FSYNC: z.enum(['always', 'interval', 'off'], { error: 'TALLY_FSYNC must be always, interval or off' }).default('always'),
  TALLY_RATE_LIMIT: int('TALLY_RATE_LIMIT', 0, 100_000_000).default(12000),
  TALLY_BOT_FILTER: bool('TALLY_BOT_FILTER').default(true),
  TALLY_MAX_BATCH: int('TALLY_MAX_BATCH', 1, 10_000).default(100),
  TALLY_MAX_BODY_BYTES: int('TALLY_MAX_BODY_BYTES', 1024, 64 * 1024 * 1024).default(1024 * 1024),
  TALLY_TZ: z.string().refine(validTimeZone, 'TALLY_TZ must be an IANA time zone name, e.g. Europe/Berlin').default('UTC'),
  TALLY_ROLLUP_CRON: z.string().min(9).default('15 3 * * *'),
  TALLY_RAW_RETENTION_DAYS: int('TALLY_RAW_RETENTION_DAYS', 1, 36500).default(90),
  TALLY_ROLLUP_RETENTION_DAYS: int('TALLY_ROLLUP_RETENTION_DAYS', 1, 36500).default(365),
  TALLY_MAX_VALUES_PER_DAY: int('TALLY_MAX_VALUES_PER_DAY', 10, 1_000_000).default(1000),
  TALLY_LOG_LEVEL: z.enum(['info', 'warn', 'error', 'silent']).default('info'),
  TALLY_TRUST_PROXY: z.string().transform((v, ctx) => {
    try {
      parseTrustedProxies(trustProxyEntries(v));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `TALLY_TRUST_PROXY: ${(err as Error).message} (use off, loopback, or addresses and CIDR ranges)` });
    }
    return trustProxyEntries(v);
  }).default(['off']),
  ...FORWARD_ENV,
});

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Secret for the query API; undefined means the query API refuses everyone. */
  dashKey: string | undefined;
  /** `['*']` or a list of exact origins. */
  allowedOrigins: string[];
  fsync: 'always' | 'interval' | 'off';
  /** Events per minute per client address; 0 turns the limit off. */
  rateLimit: number;
  botFilter: boolean;
  maxBatch: number;
  maxBodyBytes: number;
  timeZone: string;
  rollupCron: string;
  rawRetentionDays: number;
  rollupRetentionDays: number;
  logLevel: 'info' | 'warn' | 'error' | 'silent';
  /** Peers whose `Forwarded`/`X-Forwarded-For` names the client (`['off']`, `['loopback']`, addresses, CIDRs). */
  trustProxy: string[];
  /** Kafka / ClickHouse forwarders (forward/config.ts); a sink is off unless configured. */
  forward: ForwardConfig;
  /** Distinct values per dimension per day in the rollups; later new values count as `(other)`. */
  maxValuesPerDay: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws `ConfigError` listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = EnvSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  }
  const e = parsed.data;
  let forward: ForwardConfig;
  try {
    forward = forwardConfig(e);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  return {
    host: e.TALLY_HOST,
    port: e.TALLY_PORT,
    dataDir: e.TALLY_DATA_DIR,
    dashKey: e.TALLY_DASH_KEY,
    allowedOrigins: e.TALLY_ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    fsync: e.TALLY_FSYNC,
    rateLimit: e.TALLY_RATE_LIMIT,
    botFilter: e.TALLY_BOT_FILTER,
    maxBatch: e.TALLY_MAX_BATCH,
    maxBodyBytes: e.TALLY_MAX_BODY_BYTES,
    timeZone: e.TALLY_TZ,
    rollupCron: e.TALLY_ROLLUP_CRON,
    rawRetentionDays: e.TALLY_RAW_RETENTION_DAYS,
    rollupRetentionDays: e.TALLY_ROLLUP_RETENTION_DAYS,
    logLevel: e.TALLY_LOG_LEVEL,
    trustProxy: e.TALLY_TRUST_PROXY,
    forward,
    maxValuesPerDay: e.TALLY_MAX_VALUES_PER_DAY,
  };
}
