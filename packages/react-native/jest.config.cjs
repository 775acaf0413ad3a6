/**
 * React Native's own Jest preset: vitest cannot load `react-native` (its entry is Flow). Workspace
 * packages resolve to their TypeScript source (`tally-source`), like the vitest projects do.
 */
module.exports = {
  preset: 'react-native',
  testMatch: ['<rootDir>/src/**/*.test.ts?(x)'],
  testEnvironmentOptions: { customExportConditions: ['tally-source', 'require', 'react-native'] },
  // Core's source imports its siblings as `./x.js`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transformIgnorePatterns: [
    'node_modules/(?!(\\.pnpm|((jest-)?react-native|@react-native(-community)?|@react-native-async-storage|async-storage-v3|react-native-mmkv|@react-navigation|react-navigation-native-6)/))',
  ],
  setupFiles: ['<rootDir>/jest.setup.cjs'],
  // The first test of a file pays for Babel transforming core's source; on a loaded CI machine that is seconds.
  testTimeout: 120_000,
};
