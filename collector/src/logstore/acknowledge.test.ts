import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../deps.js';
import { errno, event, openSpiedStore } from '../testing/logstore.js';

const lines = (dir: string) => readFileSync(join(dir, 'events', '2026-11-20.ndjson'), 'utf8').split('\n').filter(Boolean);

describe('beforeAck: stored and counted, or neither', () => {
  it('a failing hook cuts its batch and the later ones of the group; earlier batches stay acknowledged', async () => {
    const { log, dir } = await openSpiedStore();
    const [a, b, c] = [[event(), event()], [event(), event()], [event()]];
    const counted: number[] = [];
    // Three appends in the same turn share one group commit.
    const results = await Promise.allSettled([
      log.append(a, { beforeAck: (r) => void counted.push(r.logged.length) }),
      log.append(b, { beforeAck: () => { throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }); } }),
      log.append(c, { beforeAck: (r) => void counted.push(r.logged.length) }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StorageUnavailableError);
    expect(counted).toEqual([2]);
    expect(lines(dir).map((l) => JSON.parse(l).event_id)).toEqual(a.map((e) => e.event_id));
    expect(log.writable()).toBe(false);
    // Nothing of b or c was remembered as stored: resent, they are stored in full.
    const again = await log.append([...b, ...c]);
    expect(again).toMatchObject({ duplicates: 0 });
    expect(again.logged).toHaveLength(3);
    expect(log.writable()).toBe(true);
    expect(lines(dir)).toHaveLength(5);
    await log.close();
  });

  it('a hook failing with a bug (not storage) is passed through as is, and still leaves nothing behind', async () => {
    const { log, dir } = await openSpiedStore();
    await log.append([event()]);
    const bug = new TypeError('boom');
    await expect(log.append([event()], { beforeAck: () => { throw bug; } })).rejects.toBe(bug);
    expect(lines(dir)).toHaveLength(1);
    await log.close();
  });
});

describe('a day file deleted or replaced under the store', () => {
  it('deleted: restored from the open descriptor before the next write', async () => {
    const { log, dir, logger } = await openSpiedStore();
    const first = [event(), event()];
    await log.append(first);
    const path = join(dir, 'events', '2026-11-20.ndjson');
    renameSync(path, join(dir, 'moved-away'));
    await log.append([event()]);
    expect(lines(dir)).toHaveLength(3);
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toContain('log file was deleted while open; restoring it from the open descriptor');
    await log.close();
  });

  it('replaced by another file: writes are refused with 503 (StorageUnavailableError), nothing is overwritten', async () => {
    const { log, dir } = await openSpiedStore();
    await log.append([event()]);
    const path = join(dir, 'events', '2026-11-20.ndjson');
    writeFileSync(join(dir, 'other'), 'not ours\n');
    renameSync(join(dir, 'other'), path);
    await expect(log.append([event()])).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(readFileSync(path, 'utf8')).toBe('not ours\n');
    expect(await log.verify()).toBe(false);
    await log.close();
  });
});

describe('probe', () => {
  it('makes the store writable again once a durable write succeeds, and fails while the disk refuses', async () => {
    const { log, spy } = await openSpiedStore();
    spy.hooks.write = () => Promise.reject(errno('ENOSPC'));
    await expect(log.append([event()])).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(log.writable()).toBe(false);
    expect(await log.probe()).toBe(false);
    expect(log.writable()).toBe(false);
    spy.hooks.write = undefined;
    expect(await log.probe()).toBe(true);
    expect(log.writable()).toBe(true);
    await log.close();
  });
});
