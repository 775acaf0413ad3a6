import { describe, expect, it } from 'vitest';
import { createCubeBuilder, DIMS, NO_USER } from './cube.js';
import { buildSteps, decodeStep, encodeStep } from './steps.js';

const dims = (type: number, feature: number, app = 1) => {
  const d = new Uint32Array(DIMS.length);
  d[0] = app;
  d[2] = type;
  d[3] = feature;
  return d;
};

describe('buildSteps', () => {
  it('lists per (type, feature) and per type the users, ascending, with their first time', () => {
    const b = createCubeBuilder(2);
    b.add(7, dims(10, 20), 500);
    b.add(7, dims(10, 20, 2), 300); // same step, another row (other app): earliest wins
    b.add(7, dims(10, 21), 100);
    b.add(3, dims(10, 0), 900); // no feature: only in the any-feature list
    b.add(5, dims(11, 20), 50);
    b.add(NO_USER, dims(10, 20), 1); // userless events never enter a funnel
    const out = buildSteps(b.view().rows);
    const get = (t: number, f: number) => out.find((s) => s.type === t && s.feature === f);
    const plain = (t: number, f: number) => {
      const s = get(t, f)!;
      return { users: [...s.users], first: [...s.first] };
    };
    expect(plain(10, 0)).toEqual({ users: [3, 7], first: [900, 100] });
    expect(plain(10, 20)).toEqual({ users: [7], first: [300] });
    expect(plain(10, 21)).toEqual({ users: [7], first: [100] });
    expect(plain(11, 0)).toEqual({ users: [5], first: [50] });
    expect(plain(11, 20)).toEqual({ users: [5], first: [50] });
    expect(out).toHaveLength(5);
    const round = decodeStep(encodeStep(get(10, 0)!));
    expect([...round.users]).toEqual([3, 7]);
    expect([...round.first]).toEqual([900, 100]);
  });
});
