import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCubeBuilder } from './cube.js';
import { encodeJob } from './encode.js';
import { createEncoder, type Encoder } from './encoder.js';
import { appFor } from '../testing/query-app.js';
import { ev, harness, type Harness } from '../testing/rollup.js';

// Generous timeouts: the worker loads TypeScript through tsx on first use, seconds on a loaded machine.
describe('rollup encoding in a worker thread', { timeout: 60_000 }, () => {
  let encoder: Encoder | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await encoder?.close();
    h?.close();
  });

  it('runs in the worker (no fallback) and gives exactly what in-process encoding gives', async () => {
    const fallbacks: string[] = [];
    encoder = createEncoder((e) => fallbacks.push(e));
    const b = createCubeBuilder();
    const d = new Uint32Array(9);
    for (let i = 0; i < 5000; i++) {
      d[2] = 1 + (i % 3);
      d[3] = i % 7;
      b.add(i % 1200, d, 1_000_000 + i);
    }
    const v = b.view();
    const jobs = [
      { mode: 'whole' as const, rows: [v.rows], users: v.users },
      { mode: 'part' as const, rows: [v.rows] },
      { mode: 'whole' as const, rows: [v.rows, v.rows] },
    ];
    const want = jobs.map(encodeJob);
    const got = await encoder.encode(jobs);
    expect(fallbacks).toEqual([]);
    // Compared as hex digests: a deep equality over 100 KB buffers is needlessly slow.
    const digest = (e: (typeof want)[number]) => ({
      users: e.users,
      rows: createHash('sha256').update(e.rowsBlob).digest('hex'),
      usersBlob: createHash('sha256').update(e.usersBlob).digest('hex'),
      steps: e.steps.map((s) => `${s.type}/${s.feature}/${createHash('sha256').update(s.data).digest('hex')}`),
    });
    expect(got.map(digest)).toEqual(want.map(digest));
  });

  it('keeps every event that arrives while a rollup is being encoded, exactly once', async () => {
    h = await harness();
    const at = (i: number) => `2026-11-20T${String(8 + (i % 3)).padStart(2, '0')}:00:00Z`;
    await h.log.append(Array.from({ length: 30_000 }, (_, i) => ev(at(i), { user_id: `u${i % 4000}`, feature: `f${i % 9}` })));
    let during = 0;
    let sent = 30_000;
    let done = false;
    const rollup = h.analytics.rollup!().finally(() => (done = true));
    while (!done) {
      await h.log.append(Array.from({ length: 10 }, (_, k) => ev(at(k), { user_id: `late${sent + k}` })));
      sent += 10;
      during++;
      await new Promise((r) => setImmediate(r));
    }
    await rollup;
    expect(during).toBeGreaterThan(0);
    const total = async () => (await appFor(h!).json('/api/analytics/usage?days=1')).body.total_events as number;
    expect(await total()).toBe(sent);
    await h.analytics.rollup!();
    expect(await total()).toBe(sent);
    await h.reopen();
    expect(await total()).toBe(sent);
    const mau = (await appFor(h).json('/api/analytics/usage?days=1')).body.mau as number;
    expect(mau).toBe(4000 + (sent - 30_000));
  });
});
