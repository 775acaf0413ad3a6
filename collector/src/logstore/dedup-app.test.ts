import { describe, expect, it } from 'vitest';
import { openLogStore } from './store.js';
import { dedupKey } from './dedup.js';
import { event, memLogger, NOW, tempDir } from '../testing/logstore.js';

describe('deduplication is per app (the ledger key)', () => {
  it('keys: one id in two apps differs; no app, "" and "default" share one namespace; no pair spells another', () => {
    const id = '0b9e4c7e-1d2f-4a3b-9c8d-7e6f5a4b3c2d';
    expect(dedupKey(id, 'appA')).not.toBe(dedupKey(id, 'appB'));
    expect(dedupKey(id)).toBe(dedupKey(id, ''));
    expect(dedupKey(id)).toBe(dedupKey(id, 'default'));
    expect(dedupKey('b:x', 'a')).not.toBe(dedupKey('x', 'a:b'));
    expect(dedupKey('1:ax', '')).not.toBe(dedupKey('x', 'a'));
  });

  it('stores the same event_id once per app, also after a restart rebuilds the index from the files', async () => {
    const t = tempDir();
    try {
      const open = () => openLogStore({ dataDir: t.dir, fsync: 'off', logger: memLogger(), clock: { now: () => NOW } });
      let log = await open();
      const id = 'shared-id-1';
      const r1 = await log.append([event({ event_id: id, app: 'appA' }), event({ event_id: id, app: 'appB' }), event({ event_id: id })]);
      expect(r1).toMatchObject({ duplicates: 0 });
      expect(r1.logged).toHaveLength(3);
      expect((await log.append([event({ event_id: id, app: 'appA' })])).duplicates).toBe(1);
      await log.close();
      log = await open();
      // An app needing JSON escapes goes through the full parse at rebuild; it must key the same way.
      const r2 = await log.append([
        event({ event_id: id, app: 'appA' }),
        event({ event_id: id, app: 'appB' }),
        event({ event_id: id, app: 'default' }),
        event({ event_id: id, app: 'appC' }),
      ]);
      expect(r2).toMatchObject({ duplicates: 3 });
      expect(r2.logged.map((e) => e.app)).toEqual(['appC']);
      const quoted = 'we"ird';
      await log.append([event({ event_id: 'q1', app: quoted })]);
      await log.close();
      log = await open();
      expect((await log.append([event({ event_id: 'q1', app: quoted }), event({ event_id: 'q1', app: 'we' })])).duplicates).toBe(1);
      await log.close();
    } finally {
      t.cleanup();
    }
  });
});
