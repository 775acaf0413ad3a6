/// <reference types="node" />
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/** Issue 3: the whole script-tag bundle, vitals and storage included, ≤ 7 KB min+gzip. */
const BUDGET_BYTES = 7 * 1024;
/**
 * What the bundle measures today plus a little room: the budget above is a limit, not a target, so
 * a change that eats the headroom should be a decision, not an accident. Lower it whenever the
 * bundle shrinks; raise it only with a reason in the commit and docs/sdk-browser.md. Raised from
 * 6,850 to 7,165 by issue 12 (one record per event, in IndexedDB and localStorage, with the
 * upgrade from the single-value queue): 6,780 → 7,159 B. Lowered to 7,145 when URL redaction moved
 * here from core (7,139 B). Raised to 7,150 by issue 12's track() work (7,146 B, within the budget:
 * deferred build, 1 s writes, ranged IndexedDB reads and a URL read redacted only when it changed,
 * paid for by dropping the localStorage lease, terser hoist_funs and more mangled names).
 */
const CEILING_BYTES = 7150;
const bundle = `${__dirname}/../dist/tally.global.js`;

function gzippedSize(): number {
  // Fail, never skip: a missing bundle must not pass a size check. Root `pnpm test` builds first.
  expect(existsSync(bundle), `${bundle} is missing: run \`pnpm build\` (root \`pnpm test\` does) first`).toBe(true);
  return gzipSync(readFileSync(bundle), { level: 9 }).length;
}

describe('script-tag bundle size', () => {
  it(`dist/tally.global.js is at most ${BUDGET_BYTES} bytes gzipped (issue 3 budget)`, () => {
    const gzipped = gzippedSize();
    expect(gzipped, `tally.global.js is ${gzipped} B gzipped; budget ${BUDGET_BYTES} B`).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it(`dist/tally.global.js does not grow past ${CEILING_BYTES} bytes gzipped`, () => {
    const gzipped = gzippedSize();
    expect(gzipped, `tally.global.js is ${gzipped} B gzipped; ceiling ${CEILING_BYTES} B`).toBeLessThanOrEqual(CEILING_BYTES);
  });
});
