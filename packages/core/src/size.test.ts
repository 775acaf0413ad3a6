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

/** Issue 3 budget: `packages/core` alone ≤ 3.5 KB min+gzip, so the whole script tag can stay under 7 KB. */
const BUDGET = 3584;

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
