import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestDeps } from '../testing/index.js';
import { eraseSubject } from './erase.js';
import { subjectDigest } from './audit.js';
import { createPrivacyStub, ev } from '../testing/privacy.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-erase-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function setup(timeZone = 'UTC') {
  const rollups = createPrivacyStub();
  const deps = makeTestDeps({ rollups, config: { dataDir, timeZone } });
  return { deps, rollups };
}

describe('eraseSubject', () => {
  it('removes the user, their linked anonymous ids (also before the link) and nobody else', async () => {
    const { deps, rollups } = setup();
    await deps.log.append([
      ev({ anonymous_id: 'anon-1', time: '2026-11-18T09:00:00.000Z' }), // pre-login browsing
      ev({ anonymous_id: 'anon-2', time: '2026-11-18T09:00:00.000Z' }), // someone else
      ev({ user_id: 'alice', anonymous_id: 'anon-1', time: '2026-11-19T09:00:00.000Z' }),
      ev({ user_id: 'alice', time: '2026-11-20T09:00:00.000Z' }),
      ev({ user_id: 'bob', anonymous_id: 'anon-3', time: '2026-11-20T09:00:00.000Z' }),
      ev({ anonymous_id: 'alice', time: '2026-11-20T10:00:00.000Z' }), // the id used as anonymous id
      ev({ time: '2026-11-20T11:00:00.000Z' }), // nobody
    ]);
    const result = await eraseSubject(deps, 'alice', 'cli:test');
    expect(result).toEqual({
      ok: true,
      removed: 4,
      days: ['2026-11-18', '2026-11-19', '2026-11-20'],
      rollup_days: ['2026-11-18', '2026-11-19', '2026-11-20'],
    });
    expect(deps.log.events.map((e) => e.user_id ?? e.anonymous_id ?? '-')).toEqual(['anon-2', 'bob', '-']);
    expect(rollups.rebuilt).toEqual([['2026-11-18', '2026-11-19', '2026-11-20']]);
    expect(rollups.forgotten).toEqual([['alice', 'anon-1']]);
  });

  it('rebuilds the event days in TALLY_TZ, not the receipt days', async () => {
    const { deps, rollups } = setup('America/Los_Angeles');
    await deps.log.append([
      // 03:00 UTC on the 20th is still the 19th in Los Angeles; received two days late.
      ev({ user_id: 'carol', time: '2026-11-20T03:00:00.000Z', received_at: '2026-11-22T08:00:00.000Z' }),
    ]);
    const result = await eraseSubject(deps, 'carol', 'cli:test');
    expect(result.days).toEqual(['2026-11-22']);
    expect(result.rollup_days).toEqual(['2026-11-19']);
    expect(rollups.rebuilt).toEqual([['2026-11-19']]);
  });

  it('answers removed 0 for an unknown id but still tells the rollups to forget it', async () => {
    const { deps, rollups } = setup();
    await deps.log.append([ev({ user_id: 'dave' })]);
    expect(await eraseSubject(deps, 'nobody', 'cli:test')).toEqual({ ok: true, removed: 0, days: [], rollup_days: [] });
    expect(rollups.rebuilt).toEqual([]);
    expect(rollups.forgotten).toEqual([['nobody']]);
    expect(deps.log.events).toHaveLength(1);
  });

  it('follows a link that appears while it runs (another round finds the earlier anonymous events)', async () => {
    const { deps } = setup();
    await deps.log.append([ev({ user_id: 'gina', received_at: '2026-11-20T09:00:00.000Z' })]);
    const rewrite = deps.log.rewriteDay.bind(deps.log);
    let injected = false;
    deps.log.rewriteDay = async (day, keep) => {
      if (!injected) {
        injected = true;
        // Ingestion, mid-erasure: a late anonymous event for an earlier day, then the login linking it.
        await deps.log.append([
          ev({ anonymous_id: 'anon-g', received_at: '2026-11-19T09:00:00.000Z', time: '2026-11-19T09:00:00.000Z' }),
          ev({ user_id: 'gina', anonymous_id: 'anon-g', received_at: '2026-11-20T09:30:00.000Z' }),
        ]);
      }
      return rewrite(day, keep);
    };
    const result = await eraseSubject(deps, 'gina', 'cli:test');
    expect(result.removed).toBe(3);
    expect(result.days).toEqual(['2026-11-19', '2026-11-20']);
    expect(deps.log.events).toEqual([]);
  });

  it('writes one audit line with a keyed hash of the subject, counts and no payload', async () => {
    const { deps } = setup();
    await deps.log.append([ev({ user_id: 'erin', anonymous_id: 'anon-e', url: 'https://secret.example/x' })]);
    await eraseSubject(deps, 'erin', 'key:abcd1234');
    const lines = (await readFile(join(dataDir, 'audit.log'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toEqual({
      ts: '2026-11-20T12:00:00.000Z',
      action: 'erase',
      actor: 'key:abcd1234',
      subject: await subjectDigest(dataDir, 'erin'),
      linked_ids: 1,
      removed: 1,
      days: 1,
      rollup_days: 1,
    });
    expect(entry.subject).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(lines[0]).not.toContain('erin');
    expect(lines[0]).not.toContain('anon-e');
    expect(lines[0]).not.toContain('secret');
  });

  it('audits a failed erasure with what was removed before the failure, and rethrows', async () => {
    const { deps } = setup();
    await deps.log.append([
      ev({ user_id: 'hal', received_at: '2026-11-19T09:00:00.000Z' }),
      ev({ user_id: 'hal', received_at: '2026-11-20T09:00:00.000Z' }),
    ]);
    const rewrite = deps.log.rewriteDay.bind(deps.log);
    deps.log.rewriteDay = async (day, keep) => {
      if (day === '2026-11-20') throw new Error('EIO: disk says no about hal');
      return rewrite(day, keep);
    };
    await expect(eraseSubject(deps, 'hal', 'cli:test')).rejects.toThrow(/EIO/);
    const text = await readFile(join(dataDir, 'audit.log'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ action: 'erase', failed: 'Error', removed: 1, days: 1 });
    expect(text).not.toContain('hal');
  });

  it('fails loudly, without an audit line claiming success, when the rollups cannot forget users', async () => {
    const deps = makeTestDeps({ config: { dataDir } });
    // A rollup store without forgetUsers no longer compiles (every Rollups method is required)...
    // @ts-expect-error forgetUsers is missing
    const missing: Rollups = { rebuildDays: deps.rollups.rebuildDays, close: deps.rollups.close };
    void missing;
    // ...and one whose forgetUsers fails makes the erasure fail, audited as failed.
    deps.rollups.forgetUsers = () => {
      throw new Error('forgetUsers: rollups unavailable');
    };
    await deps.log.append([ev({ user_id: 'frank' })]);
    await expect(eraseSubject(deps, 'frank', 'cli:test')).rejects.toThrow(/forgetUsers/);
    const audit = (await readFile(join(dataDir, 'audit.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'erase', failed: 'Error' });
  });
});
