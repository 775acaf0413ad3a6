import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript source through the `tally-source` export condition,
// so tests never run against a stale build.
const resolve = { conditions: ['tally-source', 'module', 'node', 'import', 'default'] };

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: resolve.conditions, externalConditions: ['tally-source'] } },
  test: {
    projects: [
      { extends: true, test: { name: 'protocol', include: ['packages/protocol/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'core', include: ['packages/core/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'browser', include: ['packages/browser/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'collector', include: ['collector/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'dashboard', include: ['packages/dashboard/src/**/*.test.ts'] } },
      {
        // The React Native client against the real collector; its unit tests run in Jest (pnpm test:rn).
        extends: true,
        resolve: { alias: { 'react-native': new URL('./packages/react-native/src/hermes/react-native-stand-in.ts', import.meta.url).pathname } },
        test: { name: 'react-native-contract', include: ['packages/react-native/contract/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false },
      },
    ],
  },
});
