/**
 * @jest-environment node
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// What the SDK adds to an app, min+gzip, without React, React Native, React Navigation or a
// storage module (the app has those already): the built package, core inlined, minified as Metro
// would. Recorded in docs/benchmarks.md beside posthog-react-native, Segment and Amplitude.
const BUDGET = 8 * 1024;
const dist = join(__dirname, '..', 'dist', 'index.js');

it(`the SDK is at most ${BUDGET} B min+gzip without React`, async () => {
  if (!existsSync(dist)) throw new Error('build first: pnpm --filter @tally/react-native build (pnpm test does)');
  const esbuild = require('esbuild');
  const out = await esbuild.build({
    stdin: { contents: `export * from ${JSON.stringify(dist)}`, resolveDir: __dirname },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    external: [
      'react', 'react/jsx-runtime', 'react-native', '@react-navigation/native', 'react-native-mmkv',
      '@react-native-async-storage/async-storage', 'expo-application', 'react-native-device-info',
    ],
  });
  const code = out.outputFiles[0].contents;
  const gz = gzipSync(code, { level: 9 }).length;
  console.log(`@tally/react-native: ${code.length} B min, ${gz} B min+gzip`);
  expect(gz).toBeLessThanOrEqual(BUDGET);
  // Core is inside (not a second copy of a pipeline, and no import left for Metro to resolve).
  expect(Buffer.from(code).toString()).not.toMatch(/@tally\/core/);
});
