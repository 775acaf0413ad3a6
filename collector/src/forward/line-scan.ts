import { isWs, literal, num, QUOTE, seen, str } from './json-tokens.js';

/**
 * One pass over a stored line's bytes that does what `JSON.parse` did for the forwarder, without
 * building the event: it decides whether the line is valid (exactly the lines `parseLine` accepts:
 * a JSON object whose `event_id` and `received_at` are strings) and notes where the values the
 * sinks need are (the user key, the ClickHouse columns). Parsing each line into objects, then
 * re-parsing it for ClickHouse and stringifying its fields again, was most of the forwarder's CPU
 * and its garbage (docs/benchmarks.md).
 *
 * Why this is exact: it checks the whole JSON grammar (RFC 8259; strings with their escapes,
 * numbers, literals, nesting, nothing after the value), byte by byte. JSON.parse sees the line
 * after UTF-8 decoding, but decoding never changes an ASCII byte (an invalid sequence becomes
 * U+FFFD without swallowing the next byte), and every structural character of JSON is ASCII, so
 * both see the same structure. Keys are compared as bytes; a key written with escapes is decoded
 * first (`"user\u005fid"` is `user_id`). A key seen twice counts with its last value, as in
 * JSON.parse. Only the top-level object's fields, `context`'s and `context.sdk`'s are noted: a
 * `user_id` inside `metadata` is just bytes of another value. `line-scan.test.ts` holds it to
 * `parseLine` on tricky and mutated lines.
 */

export const FIELDS = [
  // top level
  'event_id', 'event_type', 'ts', 'time', 'received_at', 'app', 'feature', 'user_id', 'anonymous_id', 'session_id', 'url', 'metadata', 'consent', 'clamped', 'context',
  // context
  'app_version', 'platform', 'os', 'browser', 'device_type', 'locale', 'timezone', 'screen', 'referrer', 'title', 'sdk',
  // context.sdk
  'name', 'version',
] as const;
const TOP_END = 15;
const CONTEXT_END = 26;
export const F = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as { readonly [K in (typeof FIELDS)[number]]: number };
const CONTEXT = F.context;
const SDK = F.sdk;

/** What a field's value is. */
export const ABSENT = 0;
export const STRING = 1;
export const NULL = 2;
export const TRUE = 3;
export const OTHER = 4; // false, a number, an object or an array

/** Where each noted field's value is in the line: `[start, end)` (a string's without its quotes), its kind, and flags. */
export interface Spans {
  start: Int32Array;
  end: Int32Array;
  kind: Uint8Array;
  /** A string value holds an escape (`\`): its bytes are not its text. */
  escaped: Uint8Array;
  /** The value holds a byte ≥ 0x80: its bytes are its text only if they are valid UTF-8. */
  wide: Uint8Array;
}

export function newSpans(): Spans {
  const n = FIELDS.length;
  return { start: new Int32Array(n), end: new Int32Array(n), kind: new Uint8Array(n), escaped: new Uint8Array(n), wide: new Uint8Array(n) };
}

/** Names of one table by length, as bytes: a key is looked up without making a string of it. */
type Table = (readonly [Uint8Array, number])[][];
function table(from: number, to: number): Table {
  const t: Table = [];
  for (let i = from; i < to; i++) {
    const b = new TextEncoder().encode(FIELDS[i]!);
    (t[b.length] ??= []).push([b, i]);
  }
  return t;
}
const TOP = table(0, TOP_END);
const CTX = table(TOP_END, CONTEXT_END);
const SDK_T = table(CONTEXT_END, FIELDS.length);
const TABLES = [undefined, TOP, CTX, SDK_T] as const;
const BY_NAME = [undefined, new Map(FIELDS.slice(0, TOP_END).map((f, i) => [f, i])), new Map(FIELDS.slice(TOP_END, CONTEXT_END).map((f, i) => [f, i + TOP_END])), new Map(FIELDS.slice(CONTEXT_END).map((f, i) => [f, i + CONTEXT_END]))] as const;

function lookup(b: Uint8Array, s: number, e: number, t: Table): number {
  const list = t[e - s];
  if (list === undefined) return -1;
  outer: for (const [name, id] of list) {
    for (let k = 0; k < name.length; k++) if (b[s + k] !== name[k]) continue outer;
    return id;
  }
  return -1;
}

const MAX_DEPTH_START = 64;
let kinds = new Uint8Array(MAX_DEPTH_START); // container at each depth: 1 object, 2 array
let owners = new Int16Array(MAX_DEPTH_START); // the noted field whose value the container is, or -1
let tables = new Uint8Array(MAX_DEPTH_START); // which name table applies to the object's keys (0: none)

/**
 * Scans the line `b[start, end)`. False when `parseLine` would reject it (not JSON, not an object,
 * or `event_id`/`received_at` not strings); else `s` holds the noted fields of its last occurrences.
 */
export function scanLine(b: Uint8Array, start: number, end: number, s: Spans): boolean {
  s.kind.fill(0);
  let i = start;
  while (i < end && isWs(b[i]!)) i++;
  if (b[i] !== 0x7b || i >= end) return false;
  let depth = 1;
  kinds[1] = 1;
  owners[1] = -1;
  tables[1] = 1;
  i++;
  let field = -1; // the noted field the next value belongs to
  // States: 0 first key or `}`, 1 a key, 2 a value, 3 first value or `]`, 4 after a value.
  let state = 0;
  for (;;) {
    while (i < end && isWs(b[i]!)) i++;
    if (state === 4) {
      if (depth === 0) return i === end && s.kind[F.event_id] === STRING && s.kind[F.received_at] === STRING;
      const c = b[i];
      if (i >= end) return false;
      if (c === 0x2c) {
        i++;
        state = kinds[depth] === 1 ? 1 : 2;
        field = -1;
        continue;
      }
      if (c !== (kinds[depth] === 1 ? 0x7d : 0x5d)) return false;
      i++;
      const owner = owners[depth]!;
      if (owner >= 0) s.end[owner] = i;
      depth--;
      continue;
    }
    if (i >= end) return false;
    const c = b[i]!;
    if (state === 0 || state === 3) {
      if (c === (state === 0 ? 0x7d : 0x5d)) {
        i++;
        const owner = owners[depth]!;
        if (owner >= 0) s.end[owner] = i;
        depth--;
        state = 4;
        continue;
      }
      state = state === 0 ? 1 : 2;
      field = -1;
      continue;
    }
    if (state === 1) {
      if (c !== QUOTE) return false;
      const after = str(b, i, end);
      if (after < 0) return false;
      const t = tables[depth]!;
      field = -1;
      if (t !== 0) field = seen.escaped === 0 ? lookup(b, i + 1, after - 1, TABLES[t]!) : (BY_NAME[t]!.get(decodeKey(b, i, after) as (typeof FIELDS)[number]) ?? -1);
      // A later `context` (or `sdk`) replaces the earlier one whole, whatever its type.
      if (field === CONTEXT) for (let k = TOP_END; k < FIELDS.length; k++) s.kind[k] = ABSENT;
      else if (field === SDK) for (let k = CONTEXT_END; k < FIELDS.length; k++) s.kind[k] = ABSENT;
      i = after;
      while (i < end && isWs(b[i]!)) i++;
      if (b[i] !== 0x3a || i >= end) return false;
      i++;
      state = 2;
      continue;
    }
    // state 2: a value
    let after: number;
    let kind = OTHER;
    if (c === QUOTE) {
      after = str(b, i, end);
      if (after < 0) return false;
      if (field >= 0) {
        s.start[field] = i + 1;
        s.end[field] = after - 1;
        s.escaped[field] = seen.escaped;
        s.wide[field] = seen.wide;
        s.kind[field] = STRING;
      }
      i = after;
      state = 4;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === kinds.length) grow();
      kinds[depth] = c === 0x7b ? 1 : 2;
      owners[depth] = field;
      tables[depth] = c === 0x7b ? (field === CONTEXT ? 2 : field === SDK ? 3 : 0) : 0;
      if (field >= 0) {
        s.start[field] = i;
        s.kind[field] = OTHER;
        s.wide[field] = 0;
      }
      i++;
      state = c === 0x7b ? 0 : 3;
      field = -1;
      continue;
    }
    if (c === 0x74) {
      after = literal(b, i, end, 'true');
      kind = TRUE;
    } else if (c === 0x66) after = literal(b, i, end, 'false');
    else if (c === 0x6e) {
      after = literal(b, i, end, 'null');
      kind = NULL;
    } else after = num(b, i, end);
    if (after < 0) return false;
    if (field >= 0) {
      s.start[field] = i;
      s.end[field] = after;
      s.kind[field] = kind;
      s.wide[field] = 0;
    }
    i = after;
    state = 4;
  }
}

function grow(): void {
  const k = new Uint8Array(kinds.length * 2);
  k.set(kinds);
  kinds = k;
  const o = new Int16Array(owners.length * 2);
  o.set(owners);
  owners = o;
  const t = new Uint8Array(tables.length * 2);
  t.set(tables);
  tables = t;
}

function decodeKey(b: Uint8Array, from: number, after: number): string {
  return JSON.parse(Buffer.from(b.buffer, b.byteOffset + from, after - from).toString('utf8')) as string;
}

/** Whether any byte of `[s, e)` is ≥ 0x80 (the object/array value of a noted field). */
export function hasWide(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i]! >= 0x80) return true;
  return false;
}
