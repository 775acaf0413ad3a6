// ESLint: only rules that catch real mistakes in this codebase (formatting is left to the author).
// `pnpm lint` runs it; `pnpm test` runs `pnpm lint`. Choices: docs/layout.md#lint.
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { readdirSync } from 'node:fs';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// `describe.only`, `it.only`, `test.only` (and `.skipIf(...).only` chains start with these) make a
// run green while skipping everything else.
const noOnly = ['describe', 'it', 'test', 'suite'].map((object) => ({
  object,
  property: 'only',
  message: 'a focused test skips the rest of the suite; remove .only',
}));

// packages/core runs on every platform: browser, React Native, Node. What the platform offers is
// injected (storage, transport, lifecycle, clock); a DOM or Node global there would break one of them.
// Timers and console exist on all three.
const everywhere = new Set(['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'console', 'globalThis']);
const platformGlobals = [...new Set([...Object.keys(globals.browser), ...Object.keys(globals.node)])]
  .filter((name) => !(name in globals.es2022) && !everywhere.has(name))
  .map((name) => ({ name, message: 'packages/core is platform-free: inject it (see docs/sdk-core.md)' }));

// collector/src: one folder per stage, each owning its interface (docs/layout.md). A file outside a
// folder imports only that folder's index.ts, never a file behind it; production code never imports
// testing/. Tests and test support (`*.test.ts`, `testing/`) may reach behind an index: they test
// the internals.
const collectorFolders = readdirSync(new URL('./collector/src', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const collectorZones = collectorFolders.map((folder) => ({
  target: [`collector/src/!(${folder})/**`, 'collector/src/*.ts'],
  from: `collector/src/${folder}`,
  except: folder === 'testing' ? [] : ['./index.ts'],
  message:
    folder === 'testing'
      ? 'production code never imports test support'
      : `import ${folder}/index.ts, the folder's interface, not a file behind it (docs/layout.md)`,
}));

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'demo/**', 'packages/react-native/**/*.js', '**/*.d.ts', '**/*.mjs', '**/*.cjs'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      // Without these, import-x reads no .ts file and so sees no cycle.
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ alwaysTryTypes: true, conditionNames: ['tally-source', 'import', 'module', 'node', 'default'] }),
      ],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-restricted-properties': ['error', ...noOnly],
      // A cycle makes load order decide what is `undefined` at import time.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Type-aware: a promise nobody awaits loses its rejection (an unhandled rejection kills the
    // collector) and its ordering. Await it, or write `void` where dropping it is the point.
    files: ['collector/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts', 'packages/core/src/testing/**'],
    rules: {
      'no-restricted-globals': ['error', ...platformGlobals],
      'no-restricted-imports': ['error', { patterns: [{ regex: '^node:', message: 'packages/core is platform-free: no Node modules' }] }],
    },
  },
  {
    files: ['collector/src/**/*.ts'],
    ignores: ['collector/src/**/*.test.ts', 'collector/src/**/testing/**'],
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: collectorZones }],
    },
  },
);
