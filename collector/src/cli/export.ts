import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../config/index.js';
import { cliActor, exportSubject } from '../privacy/index.js';
import { dashKeyFor, openOffline, runningCollector } from './offline-deps.js';
import { failure, report, userFlag } from './flags.js';

const HELP = 'usage: pnpm collector export --user ID > events.ndjson\n  Writes every event of user ID (same matching as erase) to stdout as NDJSON.';

/** `pnpm collector export --user ID` — writes that person's events to stdout as NDJSON. */
export async function run(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  try {
    const id = userFlag(args, HELP);
    const config = loadConfig();
    const base = await runningCollector(config);
    if (base !== undefined) {
      const key = await dashKeyFor(config, base);
      const res = await fetch(`${base}/api/analytics/users/${encodeURIComponent(id)}/export`, {
        headers: { 'x-dash-key': key },
      });
      if (!res.ok || res.body === null) return report(await res.json(), 1);
      await pipeline(Readable.fromWeb(res.body as never), out, { end: false });
      return 0;
    }
    const deps = await openOffline(config);
    try {
      await pipeline(Readable.from(exportSubject(deps, id, cliActor())), out, { end: false });
      return 0;
    } finally {
      await deps.close();
    }
  } catch (err) {
    return failure(err);
  }
}
