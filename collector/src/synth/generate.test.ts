import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoredEventSchema, type StoredEvent } from '@tally/protocol';
import { generateLog, TargetExistsError } from './generate.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tally-gen-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const opts = { days: 5, eventsPerDay: 2000, users: 800, seed: 'demo', end: '2026-11-21' };

async function readAll(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(join(dir, 'events'))).sort()) out.set(name, await readFile(join(dir, 'events', name), 'utf8'));
  return out;
}

describe('generateLog', () => {
  it('writes one valid StoredEvent per line, into the file of its UTC receipt day, receipt-ordered', async () => {
    const stats = generateLog({ ...opts, dataDir: root });
    expect(stats.events).toBe(10_000);
    const files = await readAll(root);
    expect([...files.keys()]).toEqual(['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21'].map((d) => `${d}.ndjson`));
    const ids = new Set<string>();
    const types = new Map<string, number>();
    let late = 0;
    let identified = 0;
    for (const [name, text] of files) {
      const lines = text.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(2000);
      let prev = '';
      for (const line of lines) {
        const e: StoredEvent = StoredEventSchema.parse(JSON.parse(line));
        expect(`${e.received_at.slice(0, 10)}.ndjson`).toBe(name);
        expect(e.received_at >= prev).toBe(true);
        expect(Date.parse(e.time)).toBeLessThanOrEqual(Date.parse(e.received_at));
        prev = e.received_at;
        ids.add(e.event_id);
        types.set(e.event_type, (types.get(e.event_type) ?? 0) + 1);
        if (e.received_at.slice(0, 10) > e.time.slice(0, 10) && Date.parse(e.received_at) - Date.parse(e.time) > 86_400_000) late++;
        if (e.user_id !== undefined) identified++;
      }
    }
    expect(ids.size).toBe(10_000);
    expect(types.get('page_view')).toBeGreaterThan(types.get('action')!);
    expect(types.get('action')).toBeGreaterThan(types.get('conversion')!);
    expect(types.get('conversion')).toBeGreaterThan(0);
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThan(300);
    expect(identified).toBeGreaterThan(1000);
    expect(identified).toBeLessThan(10_000);
  });

  it('links anonymous ids to user ids (the same person before and after identifying)', async () => {
    generateLog({ ...opts, dataDir: root });
    const byAnon = new Map<string, Set<string | undefined>>();
    for (const text of (await readAll(root)).values()) {
      for (const line of text.trim().split('\n')) {
        const e = JSON.parse(line) as StoredEvent;
        const set = byAnon.get(e.anonymous_id!) ?? new Set();
        set.add(e.user_id);
        byAnon.set(e.anonymous_id!, set);
      }
    }
    const both = [...byAnon.values()].filter((s) => s.has(undefined) && s.size === 2);
    expect(both.length).toBeGreaterThan(10);
    expect([...byAnon.values()].every((s) => [...s].filter((u) => u !== undefined).length <= 1)).toBe(true);
  });

  it('is deterministic for a seed and differs for another', async () => {
    generateLog({ ...opts, dataDir: join(root, 'a') });
    generateLog({ ...opts, dataDir: join(root, 'b') });
    generateLog({ ...opts, dataDir: join(root, 'c'), seed: 'other' });
    const a = await readAll(join(root, 'a'));
    expect(await readAll(join(root, 'b'))).toEqual(a);
    expect((await readAll(join(root, 'c'))).get('2026-11-21.ndjson')).not.toEqual(a.get('2026-11-21.ndjson'));
  });

  it('a slice (only) writes exactly the same files as the full run for those days', async () => {
    generateLog({ ...opts, dataDir: join(root, 'full') });
    generateLog({ ...opts, dataDir: join(root, 'part'), only: { from: '2026-11-18', to: '2026-11-19' } });
    const full = await readAll(join(root, 'full'));
    const part = await readAll(join(root, 'part'));
    expect([...part.keys()]).toEqual(['2026-11-18.ndjson', '2026-11-19.ndjson']);
    for (const [name, text] of part) expect(text).toBe(full.get(name));
  });

  it('refuses to overwrite an existing day file and writes nothing then', async () => {
    await mkdir(join(root, 'events'), { recursive: true });
    await writeFile(join(root, 'events', '2026-11-19.ndjson'), 'real data\n');
    expect(() => generateLog({ ...opts, dataDir: root })).toThrow(TargetExistsError);
    expect(await readdir(join(root, 'events'))).toEqual(['2026-11-19.ndjson']);
    expect(await readFile(join(root, 'events', '2026-11-19.ndjson'), 'utf8')).toBe('real data\n');
  });
});
