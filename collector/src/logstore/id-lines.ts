/**
 * Finding the lines of one person in a chunk of a day file without parsing the others: the chunk
 * is searched for each id as bytes (memmem) and only lines that contain one are looked at. The log
 * store writes lines with JSON.stringify, which writes an id's characters as they are unless they
 * are `"`, `\` or control characters; an id with those (or a lone surrogate) has no reliable byte
 * pattern, so its presence makes every line a candidate. Used by the erasure's search and by its
 * rewrite (search.ts, rewrite.ts), which both only have to never miss a line: callers decide on the
 * parsed event.
 */

/** The byte pattern of an id inside a stored line, or undefined when it needs JSON escaping. */
export function needleOf(id: string): Buffer | undefined {
  if (/["\\\u0000-\u001f\ud800-\udfff]/.test(id) || id.length === 0) return undefined;
  return Buffer.from(`"${id}"`, 'utf8');
}

export interface IdLines {
  /**
   * `[start, newline)` of each line in `buf[from, len)` that may hold one of the ids, in file
   * order (every line once an id has no byte pattern). `buf[0, len)` holds whole lines.
   */
  lines(buf: Buffer, len: number, from?: number): Array<[number, number]>;
  /** True when ids were added to the array since the last `lines` call. */
  grew(): boolean;
}

/** A matcher over `ids`, an array that may grow while it is used (links learned on the way). */
export function idLines(ids: readonly string[]): IdLines {
  const needles: Buffer[] = [];
  let seen = 0;
  let escaped = false;
  const update = () => {
    for (; seen < ids.length; seen++) {
      const n = escaped ? undefined : needleOf(ids[seen]!);
      if (n === undefined) escaped = true;
      else needles.push(n);
    }
  };
  return {
    lines(buf, len, from = 0) {
      update();
      return escaped ? allLines(buf, len, from) : matchingLines(buf, len, from, needles);
    },
    grew: () => ids.length > seen,
  };
}

function matchingLines(buf: Buffer, len: number, from: number, needles: Buffer[]): Array<[number, number]> {
  const starts = new Set<number>();
  for (const needle of needles) {
    for (let at = buf.indexOf(needle, from); at !== -1 && at < len; at = buf.indexOf(needle, at + needle.length)) {
      starts.add(Math.max(from, buf.lastIndexOf(10, at) + 1));
    }
  }
  return [...starts].sort((a, b) => a - b).map((s) => [s, buf.indexOf(10, s)]);
}

/** `[start, newline)` of every line in `buf[from, len)`. */
export function allLines(buf: Buffer, len: number, from = 0): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  for (let start = from, nl = buf.indexOf(10, from); nl !== -1 && nl < len; start = nl + 1, nl = buf.indexOf(10, start)) lines.push([start, nl]);
  return lines;
}

/** Newlines in `buf[from, to)`: line numbers for a corrupt-line report. */
export function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i !== -1 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
