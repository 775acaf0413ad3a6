import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, loadConfig } from '../config/index.js';
import type { Logger } from '../deps.js';
import { openLogStore } from '../logstore/index.js';
import { createLogger } from '../ops/index.js';
import { openRollups } from '../rollup/index.js';
import type { PrivacyDeps } from '../privacy/index.js';
import { createForwardHub } from '../forward/index.js';

/**
 * How the privacy CLI commands reach the data. Only one process may write the log: rewriting a day
 * file under a running collector would lose the events it appends to the old file. So when a
 * collector answers on TALLY_HOST:TALLY_PORT the commands go through its HTTP API instead
 * (authenticated with TALLY_DASH_KEY), and only open the data directory themselves when none runs.
 */

export interface OfflineDeps extends PrivacyDeps {
  logger: Logger;
  close(): Promise<void>;
}

export async function openOffline(config: Config = loadConfig()): Promise<OfflineDeps> {
  // stdout carries the command's JSON (or NDJSON export); logs go to stderr.
  const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  const logger = createLogger(level, (line) => process.stderr.write(line));
  const clock = { now: () => Date.now() };
  const log = await openLogStore({ dataDir: config.dataDir, fsync: config.fsync, logger, clock });
  const { rollups } = await openRollups({ config, log, logger, clock, warm: false });
  // Not forwarding, but an erasure must move the forwarders' checkpoints and queue the sinks' erasure.
  const forward = await createForwardHub({ config: config.forward, dataDir: config.dataDir, log, clock, logger });
  await forward?.load();
  return {
    config,
    log,
    rollups,
    clock,
    logger,
    forward,
    async close() {
      await forward?.stop();
      rollups.close();
      await log.close();
    },
  };
}

/** Base URL of a collector that is running on the configured address, or undefined. */
export async function runningCollector(config: Config): Promise<string | undefined> {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return base;
  } catch {
    return undefined;
  }
}

export class NeedsKeyError extends Error {
  constructor(base: string) {
    super(`a collector is running at ${base}; set TALLY_DASH_KEY so this command can ask it (only one process may write the log)`);
    this.name = 'NeedsKeyError';
  }
}

/** TALLY_DASH_KEY, else the key `serve` generated and kept in `$TALLY_DATA_DIR/dash-key`. */
export async function dashKeyFor(config: Config, base: string): Promise<string> {
  if (config.dashKey !== undefined) return config.dashKey;
  try {
    const key = (await readFile(join(config.dataDir, 'dash-key'), 'utf8')).trim();
    if (key.length >= 16) return key;
  } catch {
    // No readable key file: fall through to the error naming the variable.
  }
  throw new NeedsKeyError(base);
}
