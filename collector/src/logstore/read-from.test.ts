import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLogReader } from './read-only.js';
import { openLogStore } from './store.js';
import { collect, event, memLogger, NOW, testDir } from '../testing/logstore.js';

/** `readFrom`: the one log reader, from a byte offset, as forwarders tail the log. */

function setup() {
  const t = { dir: testDir() };
  mkdirSync(join(t.dir, 'events'), { recursive: true });
  return { dir: t.dir, logger: memLogger(), file: join(t.dir, 'events', '2026-11-20.ndjson') };
}

describe('readFrom', () => {
  it('yields each line with its end offset; resuming at any end gives exactly the rest', async () => {
    const s = setup();
    const evs = [event(), event({ metadata: { text: 'ü€𝄞'.repeat(50) } }), event(), event()];
    const lines = evs.map((e) => JSON.stringify(e));
    writeFileSync(s.file, `${lines.join('\n')}\n`);
    const log = await openLogReader({ dataDir: s.dir, logger: s.logger });
    const all = await collect(log.readFrom('2026-11-20', 0));
    expect(all.map((r) => r.bytes.toString())).toEqual(lines);
    expect(all.map((r) => r.event?.event_id)).toEqual(evs.map((e) => e.event_id));
    let off = 0;
    for (const [i, r] of all.entries()) {
      off += Buffer.byteLength(lines[i]!) + 1;
      expect(r.end).toBe(off);
      // A small chunk forces lines across reads and buffer growth.
      expect((await collect(log.readFrom('2026-11-20', r.end, 16))).map((x) => x.bytes.toString())).toEqual(lines.slice(i + 1));
    }
    expect(await collect(log.readFrom('2026-11-19', 0))).toEqual([]);
    await log.close();
  });

  it('yields a corrupt interior line as event undefined (reported once) and never a torn tail', async () => {
    const s = setup();
    const [a, b] = [event(), event()];
    writeFileSync(s.file, `${JSON.stringify(a)}\n{"not an event"\n${JSON.stringify(b)}\n{"event_id":"torn`);
    const log = await openLogReader({ dataDir: s.dir, logger: s.logger });
    const got = await collect(log.readFrom('2026-11-20', 0));
    expect(got.map((r) => r.event?.event_id)).toEqual([a.event_id, undefined, b.event_id]);
    expect(log.stats().corruptLines).toBe(1);
    expect(s.logger.lines.map((l) => l.msg)).toEqual([
      'log line does not parse; skipped',
      'log file ends in an unfinished line; not read (read-only: left for the collector to repair)',
    ]);
    // From the end of the last whole line there is nothing but the torn tail.
    expect(await collect(log.readFrom('2026-11-20', got[2]!.end))).toEqual([]);
    await log.close();
  });

  it('on the writable store, reads only committed groups', async () => {
    const s = setup();
    const store = await openLogStore({ dataDir: s.dir, fsync: 'always', logger: s.logger, clock: { now: () => NOW } });
    const e1 = event();
    await store.append([e1]);
    const first = await collect(store.readFrom('2026-11-20', 0));
    expect(first.map((r) => r.event?.event_id)).toEqual([e1.event_id]);
    const e2 = event();
    await store.append([e2]);
    expect((await collect(store.readFrom('2026-11-20', first[0]!.end))).map((r) => r.event?.event_id)).toEqual([e2.event_id]);
    await store.close();
  });
});
