import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { saveCheckpoint } from '../forward/checkpoint.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeClock, makeTestDeps } from '../testing/index.js';
import { purgeExpired } from './retention.js';
import { createPrivacyStub, ev } from '../testing/privacy.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-retention-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Log files on 2026-08-23, 08-24, 08-25 and 11-22; "now" is 2026-11-22 01:00 UTC. */
async function setup(timeZone = 'UTC') {
  const clock = createFakeClock('2026-08-23T12:00:00.000Z');
  const rollups = createPrivacyStub(['2025-11-21', '2025-11-22', '2025-11-23']);
  const deps = makeTestDeps({ clock, rollups, config: { dataDir, timeZone, rawRetentionDays: 90, rollupRetentionDays: 365 } });
  for (const day of ['2026-08-23', '2026-08-24', '2026-08-25', '2026-11-22']) {
    clock.set(`${day}T00:30:00.000Z`);
    await deps.log.append([ev({ received_at: `${day}T00:30:00.000Z`, time: `${day}T00:30:00.000Z` })]);
  }
  clock.set('2026-11-22T01:00:00.000Z');
  rollups.rolledUp = new Set(['2026-08-23', '2026-08-24', '2026-08-25']);
  return { deps, rollups };
}

describe('purgeExpired', () => {
  it('keeps exactly N days including today: with 90 days on 2026-11-22 the oldest kept file is 2026-08-25', async () => {
    const { deps, rollups } = await setup();
    const report = await purgeExpired(deps, { actor: 'nightly' });
    expect(report).toEqual({
      ok: true,
      dry_run: false,
      raw: { retention_days: 90, keep_from: '2026-08-25', deleted: ['2026-08-23', '2026-08-24'], waiting_for_rollup: [], waiting_for_forwarder: [] },
      rollups: { retention_days: 365, keep_from: '2025-11-23', days: ['2025-11-21', '2025-11-22'], rows: 20 },
    });
    expect(await deps.log.days()).toEqual(['2026-08-25', '2026-11-22']);
    expect(rollups.purgedBefore).toEqual([{ day: '2025-11-23', dryRun: false }]);
    const audit = JSON.parse(await readFile(join(dataDir, 'audit.log'), 'utf8'));
    expect(audit).toMatchObject({ action: 'purge', actor: 'nightly', raw_files_deleted: 2, rollup_rows_deleted: 20 });
  });

  it('a dry run reports the same and deletes nothing, without an audit line', async () => {
    const { deps, rollups } = await setup();
    const report = await purgeExpired(deps, { dryRun: true });
    expect(report.dry_run).toBe(true);
    expect(report.raw.deleted).toEqual(['2026-08-23', '2026-08-24']);
    expect(report.rollups.days).toEqual(['2025-11-21', '2025-11-22']);
    expect(await deps.log.days()).toEqual(['2026-08-23', '2026-08-24', '2026-08-25', '2026-11-22']);
    expect(rollups.purgedBefore).toEqual([{ day: '2025-11-23', dryRun: true }]);
    await expect(readFile(join(dataDir, 'audit.log'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('never deletes a log file whose events are not rolled up yet', async () => {
    const { deps, rollups } = await setup();
    rollups.rolledUp.delete('2026-08-23');
    const report = await purgeExpired(deps);
    expect(report.raw.deleted).toEqual(['2026-08-24']);
    expect(report.raw.waiting_for_rollup).toEqual(['2026-08-23']);
    expect(await deps.log.days()).toContain('2026-08-23');
  });

  it('computes the rollup boundary in TALLY_TZ (01:00 UTC on the 22nd is the 21st in New York)', async () => {
    const { deps } = await setup('America/New_York');
    const report = await purgeExpired(deps, { dryRun: true });
    expect(report.rollups.keep_from).toBe('2025-11-22');
    expect(report.raw.keep_from).toBe('2026-08-25');
  });
});

describe('purgeExpired and the forwarders', () => {
  it('never deletes a day file at or after a forwarder checkpoint, configured sink or not', async () => {
    const { deps } = await setup();
    // A ClickHouse forwarder is still in 2026-08-24 (sink down for months, say).
    await saveCheckpoint(dataDir, 'clickhouse', { v: 1, day: '2026-08-24', offset: 10, events: 1, pending_erasures: [], updated_at: '2026-08-24T01:00:00.000Z' });
    const report = await purgeExpired(deps, { actor: 'nightly' });
    expect(report.raw).toEqual({ retention_days: 90, keep_from: '2026-08-25', deleted: ['2026-08-23'], waiting_for_rollup: [], waiting_for_forwarder: ['2026-08-24'] });
    expect(await deps.log.days()).toEqual(['2026-08-24', '2026-08-25', '2026-11-22']);
    expect(await readFile(join(dataDir, 'audit.log'), 'utf8')).toContain('"raw_files_waiting_for_forwarder":1');

    // Once it moved on, the next purge deletes the day.
    await saveCheckpoint(dataDir, 'clickhouse', { v: 1, day: '2026-08-25', offset: 0, events: 0, pending_erasures: [], updated_at: '2026-08-25T01:00:00.000Z' });
    expect((await purgeExpired(deps, { actor: 'nightly' })).raw.deleted).toEqual(['2026-08-24']);
  });

  it('refuses to purge when a checkpoint file is damaged, rather than guess', async () => {
    const { deps } = await setup();
    await mkdir(join(dataDir, 'forward'), { recursive: true });
    await writeFile(join(dataDir, 'forward', 'kafka.json'), '{"v":1,"day":');
    await expect(purgeExpired(deps, { actor: 'nightly' })).rejects.toThrow(/forward checkpoint .*kafka\.json is damaged/);
    expect(await deps.log.days()).toHaveLength(4);
  });
});
