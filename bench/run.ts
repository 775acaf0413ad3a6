import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `pnpm bench [section...]`: runs the named benchmark sections (all when none is named) one after
 * another and prints each result as JSON. A section is a module exporting
 * `run(): Promise<Record<string, unknown>>`; adding one is one line below.
 */
const SECTIONS: Record<string, () => Promise<{ run(): Promise<Record<string, unknown>> }>> = {
  ingest: () => import('./ingest.js'),
  rollup: () => import('./rollup.js'),
  dashboard: () => import('./dashboard.js'),
  'rollup-latency': () => import('./rollup-latency.js'),
  'rollup-cost': () => import('./rollup-cost.js'),
  overlay: () => import('./overlay.js'),
  memory: () => import('./memory.js'),
  sdk: () => import('./sdk.js'),
  forward: () => import('./forward.js'),
  'forward-sinks': () => import('./forward-sinks.js'),
  'clickhouse-formats': () => import('./clickhouse-formats.js'),
  'line-scan': () => import('./line-scan.js'),
};

async function main(argv: string[]): Promise<number> {
  const names = argv.length > 0 ? argv : Object.keys(SECTIONS);
  const unknown = names.filter((n) => !Object.hasOwn(SECTIONS, n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench section: ${unknown.join(', ')}\nusage: pnpm bench [${Object.keys(SECTIONS).join('|')}]...\n`);
    return 2;
  }
  for (const name of names) {
    process.stderr.write(`bench ${name}: running...\n`);
    const started = Date.now();
    const result = await (await SECTIONS[name]!()).run();
    process.stdout.write(`${JSON.stringify({ section: name, seconds: Math.round((Date.now() - started) / 1000), result }, null, 2)}\n`);
  }
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
