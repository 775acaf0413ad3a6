import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs a benchmark when its file is started directly (`tsx bench/x.ts`) and prints its result as
 * JSON; does nothing when `bench/run.ts` imports it.
 */
export function runAsScript(moduleUrl: string, run: () => Promise<unknown>): void {
  if (process.argv[1] === undefined || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  run().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
