import type { StoredEvent } from '@tally/protocol';
import { createStubRollups, type StubRollups } from './index.js';
import type { RollupPurge } from '../rollup/index.js';

/** Test helpers for this folder: hand-made events and an Rollups stub with the privacy hooks. */

let counter = 0;

export function ev(fields: Partial<StoredEvent> & { time?: string; received_at?: string }): StoredEvent {
  const time = fields.time ?? '2026-11-20T10:00:00.000Z';
  return {
    event_id: `e${++counter}`,
    event_type: 'page_view',
    ts: time,
    time,
    received_at: fields.received_at ?? time,
    ...fields,
  };
}

export interface PrivacyStub extends StubRollups {
  forgotten: string[][];
  purgedBefore: Array<{ day: string; dryRun: boolean }>;
  /** Receipt days the stub claims are fully rolled up. */
  rolledUp: Set<string>;
  forgetUsers(keys: string[]): void;
  purgeRollupsBefore(day: string, opts?: { dryRun: boolean }): RollupPurge;
  isRolledUp(day: string): boolean;
}

export function createPrivacyStub(rollupDays: string[] = []): PrivacyStub {
  const base = createStubRollups();
  const forgotten: string[][] = [];
  const purgedBefore: Array<{ day: string; dryRun: boolean }> = [];
  let stored = [...rollupDays];
  return Object.assign(base, {
    forgotten,
    purgedBefore,
    rolledUp: new Set<string>(),
    forgetUsers(keys: string[]) {
      forgotten.push([...keys].sort());
    },
    purgeRollupsBefore(day: string, opts = { dryRun: false }) {
      purgedBefore.push({ day, ...opts });
      const gone = stored.filter((d) => d < day);
      if (!opts.dryRun) stored = stored.filter((d) => d >= day);
      return { days: gone, rows: gone.length * 10 };
    },
    isRolledUp(this: PrivacyStub, day: string) {
      return this.rolledUp.has(day);
    },
  });
}
