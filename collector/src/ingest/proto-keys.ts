/**
 * `JSON.parse` turns a `"__proto__"` key into an ordinary own property, but any later
 * `target[key] = value` copy (zod's record parsing, a spread into a map, a rollup keyed by
 * metadata) would turn it into a prototype change. Tally refuses such keys at the door instead of
 * trusting every later consumer. The key can be spelt with JSON escapes, hence the `\u` test.
 */
export function mayHaveProtoKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('\\u');
}

/** True when `value` or anything inside it has an own `__proto__` key. Iterative: nesting depth cannot blow the stack. */
export function hasProtoKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v) && Object.hasOwn(v, '__proto__')) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push(child);
  }
  return false;
}
