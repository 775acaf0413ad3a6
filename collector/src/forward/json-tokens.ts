/**
 * The tokens of JSON (RFC 8259) as bytes, for `line-scan.ts`: strings with their escapes, numbers,
 * literals, whitespace. Each returns the index after the token, or -1 where JSON.parse would fail.
 */

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const SIMPLE_ESCAPE = new Uint8Array(128);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

/** What a byte inside a JSON string is: plain, the closing quote, a backslash, a control character (invalid), or ≥ 0x80. */
const PLAIN = 0;
const END = 1;
const ESCAPE = 2;
const CONTROL = 3;
const WIDE = 4;
const STRING_BYTE = new Uint8Array(256);
for (let c = 0; c < 256; c++) STRING_BYTE[c] = c === QUOTE ? END : c === BACKSLASH ? ESCAPE : c < 0x20 ? CONTROL : c >= 0x80 ? WIDE : PLAIN;

/** What the last `str` saw (read right after it; one object for all strings, none per string). */
export const seen = { escaped: 0, wide: 0 };

/** Scans a JSON string whose opening quote is at `i`; returns the index after its closing quote, or -1. */
export function str(b: Uint8Array, i: number, end: number): number {
  seen.escaped = 0;
  seen.wide = 0;
  i++;
  while (i < end) {
    // Most bytes of a stored line are plain printable ASCII: one table load decides them.
    const k = STRING_BYTE[b[i]!]!;
    if (k === PLAIN) {
      i++;
      continue;
    }
    if (k === END) return i + 1;
    if (k === ESCAPE) {
      seen.escaped = 1;
      const n = b[i + 1];
      if (n === undefined || i + 1 >= end) return -1;
      if (n === 0x75 /* u */) {
        if (i + 6 > end || !isHex(b[i + 2]!) || !isHex(b[i + 3]!) || !isHex(b[i + 4]!) || !isHex(b[i + 5]!)) return -1;
        i += 6;
      } else if (n < 128 && SIMPLE_ESCAPE[n] === 1) i += 2;
      else return -1;
      continue;
    }
    if (k === CONTROL) return -1;
    seen.wide = 1;
    i++;
  }
  return -1;
}

/** Scans a JSON number at `i`; returns the index after it, or -1. */
export function num(b: Uint8Array, i: number, end: number): number {
  if (b[i] === 0x2d) i++;
  if (i >= end) return -1;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i]!)) while (i < end && isDigit(b[i]!)) i++;
  else return -1;
  if (i < end && b[i] === 0x2e) {
    i++;
    if (i >= end || !isDigit(b[i]!)) return -1;
    while (i < end && isDigit(b[i]!)) i++;
  }
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    if (i >= end || !isDigit(b[i]!)) return -1;
    while (i < end && isDigit(b[i]!)) i++;
  }
  return i;
}

export function literal(b: Uint8Array, i: number, end: number, word: string): number {
  if (i + word.length > end) return -1;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}
