import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@tally/protocol';
import { loadConfig, type Config } from '../config/config.js';
import { createFakeClock, createMemoryLogStore, createRecordingLogger, type FakeClock, type MemoryLogStore } from './index.js';
import type { Ledger } from '../deps.js';
import { type Rollups, openRollups } from '../rollup/index.js';

let seq = 0;

/** A stored event; `at` is the skew-corrected time, received (file day) defaults to the same instant. */
export function ev(at: string, over: Partial<StoredEvent> = {}): StoredEvent {
  return {
    event_id: `e${++seq}`,
    event_type: 'page_view',
    ts: at,
    time: at,
    received_at: at,
    ...over,
  };
}

export interface Harness {
  dir: string;
  config: Config;
  clock: FakeClock;
  log: MemoryLogStore;
  rollups: Rollups;
  ledger: Ledger;
  /** Closes and reopens rollups on the same data dir and log (a restart). */
  reopen(config?: Partial<Config>): Promise<void>;
  close(): void;
}

export async function harness(opts: { tz?: string; now?: string; dir?: string; config?: Partial<Config> } = {}): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tally-rollup-'));
  const clock = createFakeClock(opts.now ?? '2026-11-20T12:00:00.000Z');
  const log = createMemoryLogStore(clock);
  const logger = createRecordingLogger();
  let config: Config = { ...loadConfig({}), dataDir: dir, timeZone: opts.tz ?? 'UTC', ...opts.config };
  const h = {
    dir,
    clock,
    log,
    logger,
  } as unknown as Harness;
  async function open() {
    const { rollups, ledger } = await openRollups({ config, log, logger, clock, warm: false });
    h.rollups = rollups;
    h.ledger = ledger;
    h.config = config;
  }
  await open();
  h.reopen = async (over = {}) => {
    h.rollups.close();
    config = { ...config, ...over };
    await open();
  };
  h.close = () => {
    h.rollups.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return h;
}
