import { describe, expect, it } from 'vitest';
import { mergeSteps } from './step-merge.js';

describe('mergeSteps', () => {
  it('unions users in order, keeping each one’s earliest time', () => {
    const a = { users: Uint32Array.from([1, 4, 9]), first: Float64Array.from([10, 40, 90]) };
    const b = { users: Uint32Array.from([0, 4, 12]), first: Float64Array.from([5, 30, 120]) };
    const m = mergeSteps(a, b);
    expect([...m.users]).toEqual([0, 1, 4, 9, 12]);
    expect([...m.first]).toEqual([5, 10, 30, 90, 120]);
    expect([...mergeSteps(a, { users: new Uint32Array(0), first: new Float64Array(0) }).users]).toEqual([1, 4, 9]);
  });
});
