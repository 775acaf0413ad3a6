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
    // Terser with several passes beats esbuild's minifier by ~3% gzipped here (measured); npm
    // users' bundlers minify the ESM build themselves.
    minify: 'terser',
    terserOptions: { ecma: 2020, toplevel: true, compress: { passes: 3, pure_getters: true } },
    target: 'es2020',
    // web-vitals uses class fields; lowering them to helper calls costs ~105 B gzipped. They exist
    // in Chrome 72, Firefox 69, Safari 14: this only moves the Safari floor from 13.1 to 14.
    esbuildOptions(o) {
      o.supported = { 'class-field': true };
    },
    noExternal: [/.*/],
    outExtension: () => ({ js: '.global.js' }),
  },
]);
