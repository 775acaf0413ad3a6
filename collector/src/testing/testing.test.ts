import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../deps.js';
import { createFakeClock, createMemoryLogStore, createRecordingLedger, makeTestDeps } from './index.js';
import type { StoredEvent } from '@tally/protocol';

const stored = (id: string, received_at = '2026-11-20T12:00:00.000Z'): StoredEvent => ({
  event_id: id,
  event_type: 'action',
  ts: received_at,
  time: received_at,
  received_at,
});

describe('createMemoryLogStore', () => {
  it('dedups event ids for 48 hours, within a batch too', async () => {
    const clock = createFakeClock();
    const log = createMemoryLogStore(clock);
    expect(await log.append([stored('a'), stored('a'), stored('b')])).toMatchObject({ duplicates: 1 });
    clock.advance(48 * 3600 * 1000 - 1);
    expect((await log.append([stored('a')])).duplicates).toBe(1);
    clock.advance(1);
    expect((await log.append([stored('a')])).logged).toHaveLength(1);
    expect(log.events.map((e) => e.event_id)).toEqual(['a', 'b', 'a']);
  });

  it('fails like a full disk when told to, and notifies listeners of what it stored', async () => {
    const log = createMemoryLogStore();
    const seen: string[] = [];
    log.onAppend((evs) => seen.push(...evs.map((e) => e.event_id)));
    log.setFailing(true);
    await expect(log.append([stored('a')])).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(log.writable()).toBe(false);
    log.setFailing(false);
    await log.append([stored('a')]);
    expect(seen).toEqual(['a']);
    expect(log.appendCalls).toBe(2);
  });

  it('reads, rewrites and deletes by UTC receipt day', async () => {
    const log = createMemoryLogStore();
    await log.append([stored('a', '2026-11-19T23:00:00.000Z'), stored('b', '2026-11-20T01:00:00.000Z'), stored('c', '2026-11-20T02:00:00.000Z')]);
    expect(await log.days()).toEqual(['2026-11-19', '2026-11-20']);
    expect(await log.rewriteDay('2026-11-20', (e) => e.event_id !== 'b')).toBe(1);
    const day: string[] = [];
    for await (const e of log.readDay('2026-11-20')) day.push(e.event_id);
    expect(day).toEqual(['c']);
    await log.deleteDay('2026-11-19');
    expect(await log.days()).toEqual(['2026-11-20']);
  });
});

describe('makeTestDeps', () => {
  it('merges config overrides and replaces other fakes', () => {
    const ledger = createRecordingLedger();
    const deps = makeTestDeps({ config: { maxBatch: 7 }, ledger });
    expect(deps.config.maxBatch).toBe(7);
    expect(deps.config.rateLimit).toBe(0);
    expect(deps.ledger).toBe(ledger);
    expect(deps.clock.now()).toBe(Date.parse('2026-11-20T12:00:00.000Z'));
  });
});
