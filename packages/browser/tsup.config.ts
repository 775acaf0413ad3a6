import { defineConfig } from 'tsup';
import { CORE_PRIVATE_NAMES } from '../core/mangle.js';

// Core's private names (one list, in packages/core/mangle.ts) plus what is private inside the
// script tag only; see the comment at `mangleProps` below.
const MANGLED = new RegExp(
  '^(' +
    [
      ...CORE_PRIVATE_NAMES,
      'head', 'counters', 'append', 'wipe', 'sync', 'remove', 'entries', 'key', 'event',
      'sendUrgent', 'retryAfterMs', 'isOnline', 'subscribe',
      'storage', 'transport', 'lifecycle', 'clock', 'lock', 'uuid', 'backoff', 'baseMs', 'maxMs',
      'maxQueue', 'maxBatchEvents', 'maxBatchBytes', 'sessionTimeoutMs', 'debounceMs', 'maxWaitMs', 'flushAt', 'persistMs',
      'beforeSend', 'sampleRate', 'onConsent', 'respectDnt', 'storageName', 'timeoutMs',
    ].join('|') +
    ')$',
);

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
    terserOptions: { ecma: 2020, toplevel: true, compress: { passes: 3, pure_getters: true, unsafe_arrows: true, unsafe_comps: true, hoist_funs: true } },
    target: 'es2020',
    esbuildOptions(o) {
      // Inside the script tag every Storage, Transport, Lifecycle, option and internal object is
      // both made and used by this bundle, so their property names can be shortened (≈190 B
      // gzipped). Never listed: names the platform also uses (put, get, set, delete, clear, count,
      // random, status, ...), the public API, the wire format and anything persisted (`context` is
      // both an option and a wire field): a renamed stored field would orphan an older version's
      // queue. Storage methods may be listed: the fallback chain forwards whatever name it is asked
      // for, renamed alike. `remove`, `entries`, `key` and `event` (queue entries, never stored since
      // issue 12's layout) are listed because nothing in this bundle reads a platform property of
      // those names; check the built file before using one (`Object.entries`, `KeyboardEvent.key`).
      o.mangleProps = MANGLED;
      // esbuild's syntax minification before terser finds folds terser alone misses (≈55 B gzipped).
      o.minifySyntax = true;
    },
    noExternal: [/.*/],
    outExtension: () => ({ js: '.global.js' }),
  },
]);
