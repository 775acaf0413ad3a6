import type * as P from '@tally/protocol';
import { describe, expect, it } from 'vitest';
import type { Consent, EventContext, IngestResponse, WireBatch, WireEvent } from './wire.js';

/** true only when A and B are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// Compile-time pins (checked by `pnpm typecheck`): a wire-format change in @tally/protocol makes
// one of these `false`, and assigning `true` to it fails to compile.
const pins: [Same<Consent, P.Consent>, Same<EventContext, P.EventContext>, Same<WireEvent, P.WireEvent>] = [true, true, true];
// The collector's answer fits core's (reason codes widened to string); a batch core builds is a protocol batch.
const ack = (r: P.IngestResponse): IngestResponse => r;
const batch = (b: WireBatch): P.Batch => b;

describe('wire types', () => {
  it('match @tally/protocol', () => {
    expect(pins).toEqual([true, true, true]);
    expect(ack({ ok: true, logged: 0, duplicates: 0, rejected: [] }).rejected).toEqual([]);
    expect(batch({ events: [] }).events).toEqual([]);
  });
});
