// Copied into dist/ by the build script (tsup has no declaration for an IIFE). The script-tag bundle has no exports: loading it defines `window.tally` (the client, plus the
// bundle's version). `import '@tally/browser/tally.global.js'` in a bundled app does the same.
import type { Client } from './index.js';

declare global {
  interface Window {
    tally: Client & { version: string };
  }
}

export {};
