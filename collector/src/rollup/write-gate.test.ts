import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db.js';
import { createLedger } from './ledger.js';
import { createRollupWorker, type RollupWorker } from './worker.js';
import { createWriteGate, workerTurn } from './write-gate.js';

describe('write gate: the event loop never waits inside SQLite for the rollup worker', () => {
  it('runs a write at once when the worker is between transactions, and after it when it is inside one', async () => {
    const gate = createWriteGate();
    const turn = workerTurn(gate.buffer);
    expect(gate.run(() => 7)).toBe(7);
    turn.enter();
    let ran = false;
    const later = gate.run(() => {
      ran = true;
      return 8;
    });
    expect(later).toBeInstanceOf(Promise);
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toBe(false);
    turn.leave();
    expect(await later).toBe(8);
    // A failing write still lets the worker in again.
    expect(() => gate.run(() => { throw new Error('boom'); })).toThrow('boom');
    turn.enter();
    turn.leave();
  });

  describe('with a real worker thread', { timeout: 60_000 }, () => {
    let worker: RollupWorker | undefined;
    let db: Db | undefined;
    let dir: string | undefined;
    afterEach(async () => {
      await worker?.close();
      db?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('ledger writes during the worker\'s write transactions all succeed and are all counted', async () => {
      dir = mkdtempSync(join(tmpdir(), 'tally-gate-'));
      db = openDb(dir);
      worker = createRollupWorker();
      const ledger = createLedger(db, worker.gate);
      let stop = false;
      let writes = 0;
      const failures: string[] = [];
      const writer = (async () => {
        while (!stop) {
          try {
            await ledger.record({ day: '2026-11-20', app: 'web', accepted: 1, duplicates: 0, rejected: {}, dropped: 0, bots: 0 });
            writes++;
          } catch (err) {
            failures.push(String(err));
          }
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      // Many 1 MB transactions of new user keys, written by the worker meanwhile.
      for (let round = 0; round < 6; round++) {
        const ids = Array.from({ length: 20_000 }, (_, i) => round * 20_000 + i);
        await worker.entries(db, { table: 'users', column: 'key', ids, values: ids.map((i) => `user-${i}-${'x'.repeat(40)}`) });
      }
      stop = true;
      await writer;
      expect(failures).toEqual([]);
      expect(writes).toBeGreaterThan(0);
      expect(db.prepare('SELECT accepted FROM ledger').pluck().get()).toBe(writes);
      expect(db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(120_000);
    });
  });
});

describe('write gate when the worker is gone', () => {
  it('a write waiting on a worker that died mid-transaction runs once the gate is reset', async () => {
    const gate = createWriteGate();
    workerTurn(gate.buffer).enter(); // the worker entered a transaction, then died
    const later = gate.run(() => 'written');
    expect(later).toBeInstanceOf(Promise);
    gate.reset();
    expect(await later).toBe('written');
    expect(gate.run(() => 'at once')).toBe('at once');
  });
});
