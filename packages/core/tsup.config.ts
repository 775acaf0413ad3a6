import { defineConfig } from 'tsup';
import { CORE_PRIVATE } from './mangle.js';

export default defineConfig({
  entry: { index: 'src/index.ts', kv: 'src/kv/index.ts', adapter: 'src/adapter/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  minify: true,
  target: 'es2020',
  esbuildOptions(o) {
    o.mangleProps = CORE_PRIVATE;
  },
});
