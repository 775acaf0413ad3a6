import type { StepUsers } from './steps.js';

/**
 * Two step lists of one day as one: users in ascending order, each with the earlier of their first
 * times. A rollup that appends a part to a day merges the part's lists into the day's funnel index
 * this way, at a cost that follows the lists it touches, not the day's rows.
 */
export function mergeSteps(a: StepUsers, b: StepUsers): StepUsers {
  const users = new Uint32Array(a.users.length + b.users.length);
  const first = new Float64Array(users.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.users.length || j < b.users.length) {
    const ua = i < a.users.length ? a.users[i]! : Infinity;
    const ub = j < b.users.length ? b.users[j]! : Infinity;
    if (ua === ub) {
      users[o] = ua;
      first[o++] = Math.min(a.first[i++]!, b.first[j++]!);
    } else if (ua < ub) {
      users[o] = ua;
      first[o++] = a.first[i++]!;
    } else {
      users[o] = ub;
      first[o++] = b.first[j++]!;
    }
  }
  return { users: users.subarray(0, o), first: first.subarray(0, o) };
}
