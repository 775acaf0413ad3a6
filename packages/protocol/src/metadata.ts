import { LIMITS } from './limits.js';

/**
 * Depth of a JSON value: a scalar is 0, `{}` is 1. Iterative so that a hostile, deeply nested
 * payload cannot overflow the stack of whoever checks it.
 */
export function jsonDepth(value: unknown, limit: number = LIMITS.metadataDepth + 1): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Object.values(v)) stack.push([child, depth]);
  }
  return max;
}

/** UTF-8 byte length of the serialized value. */
export function jsonBytes(value: unknown): number {
  return utf8Bytes(JSON.stringify(value) ?? '');
}

/** UTF-8 byte length of a string, counted without encoding it. */
export function utf8Bytes(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
