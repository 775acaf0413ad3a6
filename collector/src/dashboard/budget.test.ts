import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { resolveDashboardDist, type Manifest } from './assets.js';

/** Issue #13's budget: all JS ≤ 45 KB and all CSS ≤ 10 KB gzipped (GoatCounter ships ~89 KB of JS). */
const JS_BUDGET = 45 * 1024;
const CSS_BUDGET = 10 * 1024;

describe('dashboard size budget', () => {
  it('ships at most 45 KB of JS and 10 KB of CSS gzipped, all from hashed files', async () => {
    const dist = resolveDashboardDist()!;
    const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8')) as Manifest;
    let js = 0;
    let css = 0;
    for (const name of manifest.assets) {
      expect(name).toMatch(/\.[0-9a-f]{10}\.(js|css)$/);
      // Measured as gzip -9 of the file, whatever the .gz beside it holds.
      const size = gzipSync(await readFile(join(dist, name)), { level: 9 }).length;
      if (name.endsWith('.js')) js += size;
      else css += size;
    }
    expect(js).toBeGreaterThan(1000);
    expect(js).toBeLessThanOrEqual(JS_BUDGET);
    expect(css).toBeLessThanOrEqual(CSS_BUDGET);
    const html = await readFile(join(dist, manifest.index), 'utf8');
    // Only same-origin assets: the machine running the collector may have no internet.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
