import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@tally/protocol';
import { openLogStore, type OpenLogStore } from '../logstore/index.js';
import { event, memLogger } from '../testing/logstore.js';
import { loadCheckpoint } from './checkpoint.js';
import { SPACED_MAX_BATCH } from './forwarder.js';
import { createForwardHub, type ForwardHub } from './hub.js';
import { lineOf, type ForwardRecord, type Sink } from './sink.js';
import { waitFor } from './testing/support.js';

/** Forwarder logic with a fake sink (the real servers are in forward.servers.test.ts). */

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function fakeSink() {
  const state = { accept: Infinity, got: [] as string[], erased: [] as string[][] };
  const sink: Sink = {
    name: 'clickhouse',
    async send(batch: ForwardRecord[]) {
      if (state.accept < batch.length) throw new Error('sink down');
      state.accept -= batch.length;
      state.got.push(...batch.map((r) => (JSON.parse(lineOf(r).toString()) as { event_id: string }).event_id));
    },
    async erase(keys) {
      if (state.accept === 0) throw new Error('sink down');
      state.erased.push(keys);
    },
    close: async () => {},
  };
  return { sink, state };
}

async function setup(accept: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tally-hub-'));
  const logger = memLogger();
  const log: OpenLogStore = await openLogStore({ dataDir, fsync: 'always', logger, clock: { now: () => NOW } });
  const { sink, state } = fakeSink();
  state.accept = accept;
  const hub = (await createForwardHub({ config: { batchSize: 2, lingerMs: 0, priority: 0, kafka: undefined, clickhouse: undefined }, dataDir, log, clock: { now: () => NOW }, logger, sinks: [sink] })) as ForwardHub;
  cleanups.push(async () => {
    await hub.stop();
    await log.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { dataDir, log, hub, state };
}

const byUser = (n: number) => Array.from({ length: n }, (_, i) => event({ user_id: i % 2 === 0 ? 'erase-me' : `u${i}` }));

describe('a spaced sink (ClickHouse: one insert per linger)', () => {
  it('sends what arrived during its linger as one batch, however many batches filled meanwhile, and a full batch at once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tally-hub-'));
    const logger = memLogger();
    const clock = { now: () => Date.now() };
    const log: OpenLogStore = await openLogStore({ dataDir, fsync: 'off', logger, clock });
    const sizes = { spaced: [] as number[], plain: [] as number[] };
    const sink = (name: 'clickhouse' | 'kafka', spaced: boolean, into: number[]): Sink => ({
      name,
      spaced,
      async send(batch) {
        into.push(batch.length);
      },
      erase: async () => {},
      close: async () => {},
    });
    // A linger far longer than the test: only a full batch may end the spaced sink's wait.
    const hub = (await createForwardHub({
      config: { batchSize: 2, lingerMs: 600_000, priority: 0, kafka: undefined, clickhouse: undefined },
      dataDir,
      log,
      clock,
      logger,
      sinks: [sink('clickhouse', true, sizes.spaced), sink('kafka', false, sizes.plain)],
    })) as ForwardHub;
    cleanups.push(async () => {
      await hub.stop();
      await log.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    await log.append(byUser(3));
    await hub.start();
    await waitFor('the first events sent to both', () => sizes.spaced.length === 1 && sizes.plain.reduce((a, b) => a + b, 0) === 3);
    for (let i = 0; i < 5; i++) await log.append(byUser(2));
    // Each full batch of 2 wakes the unspaced sink; the spaced one keeps waiting out its linger.
    await waitFor('the unspaced sink sent each batch', () => sizes.plain.reduce((a, b) => a + b, 0) === 13);
    expect(sizes.spaced).toEqual([3]);
    await log.append(byUser(SPACED_MAX_BATCH));
    await waitFor('a full batch went at once, then the rest', () => sizes.spaced.reduce((a, b) => a + b, 0) === 13 + SPACED_MAX_BATCH);
    expect(sizes.spaced[1]).toBe(SPACED_MAX_BATCH);
    expect(sizes.spaced).toHaveLength(3);
  }, 120_000);
});

describe('forward hub', () => {
  it('a checkpoint inside a rewritten day follows the rewrite: nothing repeated, nothing skipped', async () => {
    const s = await setup(4);
    const evs = byUser(10);
    await s.log.append(evs);
    await s.hub.start();
    await waitFor('4 sent, then the sink is down', () => s.state.got.length === 4 && s.hub.status()[0]!.down);
    expect((await loadCheckpoint(s.dataDir, 'clickhouse'))!.events).toBe(4);

    const keep = (e: StoredEvent) => e.user_id !== 'erase-me';
    // As an erasure calls it: the ids would hide the kept events from `keep`, unless the hub asks for every event.
    const rewrite = (d: string, k: (e: StoredEvent) => boolean, everyEvent?: boolean) => s.log.rewriteDay(d, k, everyEvent ? undefined : ['erase-me']);
    const removed = await s.hub.paused(() => s.hub.rewriteDay(rewrite, '2026-11-20', keep));
    expect(removed).toBe(5);
    const cp = (await loadCheckpoint(s.dataDir, 'clickhouse'))!;
    expect(cp.events).toBe(2); // events 1 and 3 of the first four were kept
    expect(s.hub.status()[0]!.lagEvents).toBe(3);

    s.state.accept = Infinity;
    await waitFor('caught up', () => s.hub.status()[0]!.lagEvents === 0 && s.state.got.length === 7);
    expect(s.state.got).toEqual([...evs.slice(0, 4), ...evs.slice(4).filter(keep)].map((e) => e.event_id));
  });

  it('an erasure queued while the sink is down is kept in the checkpoint and sent when it is back', async () => {
    const s = await setup(0);
    await s.log.append(byUser(3));
    await s.hub.start();
    await waitFor('sink down', () => s.hub.status()[0]!.down);
    await s.hub.paused(() => s.hub.queueErasure(['erase-me', 'anon-1'], 'hmac-sha256:x', new Date(NOW)));
    expect((await loadCheckpoint(s.dataDir, 'clickhouse'))!.pending_erasures).toEqual([{ keys: ['erase-me', 'anon-1'], subject: 'hmac-sha256:x', at: new Date(NOW).toISOString() }]);
    s.state.accept = Infinity;
    await waitFor('erasure sent', () => s.state.erased.length === 1);
    await waitFor('checkpoint cleared', async () => (await loadCheckpoint(s.dataDir, 'clickhouse'))!.pending_erasures.length === 0);
    expect(s.state.erased).toEqual([['erase-me', 'anon-1']]);
  });

  it('moves to the next day only after the earlier day closed (a later file exists and its day ended)', async () => {
    const s = await setup(Infinity);
    const a = event({ received_at: '2026-11-19T23:59:59.000Z' });
    const b = event({ received_at: '2026-11-20T00:00:01.000Z' });
    await s.log.append([a, b]);
    await s.hub.start();
    await waitFor('both days forwarded', () => s.state.got.length === 2);
    expect(s.state.got).toEqual([a.event_id, b.event_id]);
    expect((await loadCheckpoint(s.dataDir, 'clickhouse'))!.day).toBe('2026-11-20');
  });
});
