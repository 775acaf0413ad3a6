import { loadConfig } from '../config/index.js';
import { cliActor, eraseSubject } from '../privacy/index.js';
import { dashKeyFor, openOffline, runningCollector } from './offline-deps.js';
import { failure, report, userFlag } from './flags.js';

const HELP = 'usage: pnpm collector erase --user ID\n  Removes every event of user ID (user_id or anonymous_id, plus anonymous ids seen with it),\n  recomputes the affected rollups, writes the audit log. Prints JSON.';

/** `pnpm collector erase --user ID` — forgets a person (see docs/privacy.md). Prints the JSON result. */
export async function run(args: string[]): Promise<number> {
  try {
    const id = userFlag(args, HELP);
    const config = loadConfig();
    const base = await runningCollector(config);
    if (base !== undefined) {
      const key = await dashKeyFor(config, base);
      const res = await fetch(`${base}/api/analytics/users/${encodeURIComponent(id)}`, {
        method: 'DELETE',
        headers: { 'x-dash-key': key },
      });
      const body = (await res.json()) as unknown;
      return report(body, res.ok ? 0 : 1);
    }
    const deps = await openOffline(config);
    try {
      return report(await eraseSubject(deps, id, cliActor()));
    } finally {
      await deps.close();
    }
  } catch (err) {
    return failure(err);
  }
}
