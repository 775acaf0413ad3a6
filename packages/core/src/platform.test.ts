import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = dirname(fileURLToPath(import.meta.url));

/** Core's runtime sources: everything but tests and the test harness. */
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'testing' ? [] : sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });

/** Strips comments so that a comment explaining why core avoids `window` does not trip the check. */
const code = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');

const FORBIDDEN_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'indexedDB', 'process', 'require', 'Buffer', '__dirname'];
const NODE_MODULES = /(from\s+|import\s*\(\s*)['"](node:[^'"]+|(fs|path|os|crypto|http|https|url|zlib|stream|events|util|child_process)(\/[^'"]*)?)['"]/;

describe('core stays platform-free', () => {
  const files = sources(src);

  it('finds the sources', () => {
    expect(files.map((f) => relative(src, f))).toEqual(expect.arrayContaining(['client.ts', 'index.ts', 'types.ts']));
  });

  it.each(FORBIDDEN_GLOBALS)('no source mentions %s', (name) => {
    const re = new RegExp(`\\b${name}\\b`);
    expect(files.filter((f) => re.test(code(f))).map((f) => relative(src, f))).toEqual([]);
  });

  it('no source imports a Node module, and @tally/protocol only as types', () => {
    for (const f of files) {
      const text = code(f);
      expect(text, relative(src, f)).not.toMatch(NODE_MODULES);
      expect(text, relative(src, f)).not.toMatch(/import\s+(?!type\b)[^;]*from\s+['"]@tally\/protocol['"]/);
      expect(text, relative(src, f)).not.toMatch(/export\s+(?!type\b)[^;]*from\s+['"]@tally\/protocol['"]/);
    }
  });

  it('the checks can fail', () => {
    expect(/\bwindow\b/.test(code(join(src, 'platform.test.ts')))).toBe(true);
    expect("import { x } from 'node:fs'").toMatch(NODE_MODULES);
    expect("import x from 'fs/promises'").toMatch(NODE_MODULES);
    expect("await import('path')").toMatch(NODE_MODULES);
    expect("import x from './fsutil.js'").not.toMatch(NODE_MODULES);
  });
});
