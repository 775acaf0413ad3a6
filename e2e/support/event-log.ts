import type { StoredEvent } from '@tally/protocol';
import { expect } from 'vitest';
import { readStoredEvents } from '../../collector/src/logstore/index.js';
import { waitFor } from './wait.js';

/** Stored events of one `app` (each test writes its own app name into the script tag). */
export async function eventsOf(dataDir: string, app: string): Promise<StoredEvent[]> {
  return (await readStoredEvents(dataDir)).filter((e) => e.app === app);
}

/** Waits until `select` picks at least `count` of the app's stored events; resolves with them all. */
export async function waitForEvents(
  dataDir: string,
  app: string,
  what: string,
  select: (e: StoredEvent) => boolean,
  count = 1,
  timeoutMs = 15_000,
): Promise<StoredEvent[]> {
  let seen: StoredEvent[] = [];
  try {
    await waitFor(
      `${count} × ${what}`,
      async () => {
        seen = (await eventsOf(dataDir, app)).filter(select);
        return seen.length >= count;
      },
      { timeoutMs },
    );
  } catch (err) {
    const all = await eventsOf(dataDir, app);
    throw new Error(
      `${(err as Error).message}; found ${seen.length}. Stored for ${app}: ${all.map((e) => `${e.event_type}/${e.feature ?? ''}@${e.url ?? ''}`).join(', ') || 'nothing'}`,
    );
  }
  return seen;
}

/** Event ids that occur more than once. */
export function duplicateIds(events: Array<{ event_id?: string }>): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const e of events) {
    if (!e.event_id) continue;
    if (seen.has(e.event_id)) dups.add(e.event_id);
    seen.add(e.event_id);
  }
  return [...dups];
}

/** `events` are `trackMany`'s `count` events: each `metadata.i` from 0 to count-1 stored once. */
export function expectExactlyOnce(events: Array<{ event_id: string; metadata?: Record<string, unknown> }>, count: number): void {
  expect(duplicateIds(events)).toEqual([]);
  expect(events.map((e) => e.metadata?.i).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: count }, (_, i) => i));
}
