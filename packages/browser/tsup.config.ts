import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    minify: true,
    target: 'es2020',
  },
  {
    // The script-tag bundle: everything inlined, one global (`window.tally`).
    entry: { tally: 'src/script-tag.ts' },
    format: ['iife'],
    minify: true,
    target: 'es2020',
    noExternal: [/.*/],
    outExtension: () => ({ js: '.global.js' }),
  },
]);
