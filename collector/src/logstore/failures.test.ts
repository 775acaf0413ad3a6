import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageUnavailableError } from '../deps.js';
import { nodeLogFs } from './fs.js';
import { collect, errno, event, openSpiedStore } from '../testing/logstore.js';

async function setup() {
  const s = await openSpiedStore();
  const content = () => readFileSync(join(s.dir, 'events', '2026-11-20.ndjson'), 'utf8');
  return { ...s, content };
}

/** Every line parses and the file ends with a newline: nothing half-written survived. */
function assertClean(text: string): string[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => (JSON.parse(l) as { event_id: string }).event_id);
}

describe('disk errors', () => {
  it('ENOSPC mid-write: rejects, leaves no half line, not writable until a write succeeds', async () => {
    const s = await setup();
    const first = event();
    await s.log.append([first]);
    s.spy.hooks.write = async (fd, buf, off, len) => {
      // Half of the buffer reaches the file, then the disk is full.
      s.spy.hooks.write = () => Promise.reject(errno('ENOSPC'));
      return nodeLogFs.write(fd, buf, off, Math.floor(len / 2));
    };
    const lost = [event(), event()];
    await expect(s.log.append(lost)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(s.log.writable()).toBe(false);
    expect(assertClean(s.content())).toEqual([first.event_id]);
    expect(s.logger.lines.some((l) => l.level === 'error' && l.fields?.code === 'ENOSPC')).toBe(true);

    s.spy.hooks.write = undefined;
    // The rejected ids were not remembered: the retry stores them.
    const r = await s.log.append(lost);
    expect(r.logged).toEqual(lost);
    expect(s.log.writable()).toBe(true);
    expect(assertClean(s.content())).toEqual([first.event_id, ...lost.map((e) => e.event_id)]);
    expect(await collect(s.log.readDay('2026-11-20'))).toHaveLength(3);
    await s.log.close();
  });

  it('EIO at fdatasync: rejects every caller of the group and cuts their lines back', async () => {
    const s = await setup();
    const first = event();
    await s.log.append([first]);
    s.spy.hooks.fdatasync = () => Promise.reject(errno('EIO'));
    const results = await Promise.allSettled([s.log.append([event()]), s.log.append([event()])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(assertClean(s.content())).toEqual([first.event_id]);
    expect(s.log.writable()).toBe(false);
    s.spy.hooks.fdatasync = undefined;
    await s.log.append([event()]);
    expect(s.log.writable()).toBe(true);
    await s.log.close();
  });

  it('when the rollback truncate fails too, the next write cuts the file back first', async () => {
    const s = await setup();
    const first = event();
    await s.log.append([first]);
    s.spy.hooks.fdatasync = () => Promise.reject(errno('EIO'));
    s.spy.hooks.ftruncate = () => Promise.reject(errno('EIO'));
    await expect(s.log.append([event()])).rejects.toBeInstanceOf(StorageUnavailableError);
    // The failed group's line is still in the file, but readers stop at the committed size.
    expect(s.content().split('\n')).toHaveLength(3);
    expect(await collect(s.log.readDay('2026-11-20'))).toEqual([first]);
    s.spy.hooks.fdatasync = undefined;
    s.spy.hooks.ftruncate = undefined;
    const next = event();
    await s.log.append([next]);
    expect(assertClean(s.content())).toEqual([first.event_id, next.event_id]);
    await s.log.close();
  });
});
