/// <reference types="node" />
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/** Issue 3: the whole script-tag bundle, web-vitals and storage included, ≤ 7 KB min+gzip. */
const BUDGET_BYTES = 7 * 1024;
const bundle = `${__dirname}/../dist/tally.global.js`;

describe('script-tag bundle size', () => {
  it(`dist/tally.global.js is at most ${BUDGET_BYTES} bytes gzipped`, () => {
    // Fail, never skip: a missing bundle must not pass the budget. Root `pnpm test` builds first.
    expect(existsSync(bundle), `${bundle} is missing: run \`pnpm build\` (root \`pnpm test\` does) first`).toBe(true);
    const gzipped = gzipSync(readFileSync(bundle), { level: 9 }).length;
    expect(gzipped, `tally.global.js is ${gzipped} B gzipped; budget ${BUDGET_BYTES} B`).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
