import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2020',
  // Peer dependencies stay external (tsup's default); these two are optional and only ever
  // `require`d inside a try, so they must never be bundled or resolved at build time.
  external: ['expo-application', 'react-native-device-info'],
  // Core is inlined: Metro before React Native 0.79 ignores `exports`, so it could not resolve the
  // `@tally/core/kv` subpath. Core stays a dependency for the types the .d.ts files import.
  noExternal: ['@tally/core'],
});
