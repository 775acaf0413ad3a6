import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'tsup';
import { afterAll, describe, expect, it } from 'vitest';
import { CORE_PRIVATE } from '../mangle.js';

const src = dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'tally-core-size-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * Issue 3 budget: `packages/core` alone ≤ 3.5 KB min+gzip (3,584 B), so the whole script tag can
 * stay under 7 KB. NOT HELD since issue 12: core now carries the queue engine (`queueStorage`, one
 * record per event) and the key–value runner (`kvStorage`) that memory, IndexedDB, localStorage and
 * React Native all share; before, each adapter's storage was a single value and needed neither.
 * Measured 4,096 B; the script tag, which this budget exists for, is 7,159 B (within 7,168). The
 * limit below is that measurement, so it still catches growth; see docs/sdk-core.md#size.
 */
const BUDGET = 4096;

describe('bundle size', () => {
  it(`core's ESM bundle stays within ${BUDGET} bytes min+gzip`, { timeout: 30_000 }, async () => {
    // The same build as packages/core/tsup.config.ts (minified ESM, es2020, private names shortened), everything exported kept.
    await build({
      entry: { index: join(src, 'index.ts') },
      format: ['esm'],
      minify: true,
      target: 'es2020',
      outDir: out,
      config: false,
      silent: true,
      dts: false,
      esbuildOptions(o) {
        o.mangleProps = CORE_PRIVATE;
      },
    });
    const code = readFileSync(join(out, 'index.js'));
    const gz = gzipSync(code, { level: 9 }).length;
    expect(code.toString()).not.toMatch(/\bzod\b/);
    expect(gz).toBeGreaterThan(1000);
    expect(gz).toBeLessThanOrEqual(BUDGET);
  });
});
