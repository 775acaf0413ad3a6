/**
 * Unsigned LEB128 varints (7 bits a byte, low first, high bit = more), for values below 2^32: the
 * funnel index's deltas (rollup/step-view.ts) and ClickHouse RowBinary's string lengths
 * (forward/row-binary.ts) use the same encoding.
 */

/** Bytes `putVarint` writes for `x`. */
export const varintSize = (x: number) => (x < 0x80 ? 1 : x < 0x4000 ? 2 : x < 0x20_0000 ? 3 : x < 0x1000_0000 ? 4 : 5);

/** Writes `x` at `at`; returns the offset after it. */
export function putVarint(buf: Uint8Array, at: number, x: number): number {
  while (x >= 0x80) {
    buf[at++] = (x & 0x7f) | 0x80;
    x >>>= 7;
  }
  buf[at++] = x;
  return at;
}
