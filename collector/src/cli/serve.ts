import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, ConfigError, loadConfig } from '../config/index.js';
import { closeDeps, createDeps } from '../bootstrap.js';
import { startServer } from '../server.js';
import type { Logger } from '../deps.js';
import { LogLockedError } from '../logstore/index.js';

const HELP = `usage: pnpm collector serve

Runs the collector. Configuration comes from TALLY_* environment variables (see docs/operations.md).
SIGTERM or SIGINT: stop accepting connections, answer in-flight requests, close the log, exit 0.
`;

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`${JSON.stringify({ ok: false, error: `serve: unknown argument ${args[0]} (see pnpm collector serve --help)` })}\n`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${JSON.stringify({ ok: false, error: err.message, problems: err.problems })}\n`);
    return 2;
  }

  // Listen for the stop signal before opening anything, so one that arrives during start-up is not lost.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  let deps;
  try {
    deps = await createDeps({ ...config, dashKey: config.dashKey ?? (await persistedDashKey(config.dataDir)) });
  } catch (err) {
    if (!(err instanceof LogLockedError)) throw err;
    process.stderr.write(`${JSON.stringify({ ok: false, error: err.message })}\n`);
    return 1;
  }
  if (!config.dashKey) announceDashKey(deps.logger, deps.config.dashKey!, config.dataDir);
  let server;
  try {
    server = await startServer(deps);
  } catch (err) {
    deps.logger.error('cannot listen', { host: config.host, port: config.port, error: (err as Error).message });
    await closeDeps(deps);
    return 1;
  }

  const signal = await stopSignal;
  deps.logger.info('shutting down', { signal });
  // A second signal while draining means the operator wants out now.
  const force = () => process.exit(1);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  await server.stop();
  await closeDeps(deps);
  deps.logger.info('stopped', { signal });
  return 0;
}

/**
 * Without TALLY_DASH_KEY the query API would refuse everyone, so a fresh install gets a random key,
 * kept in `<data>/dash-key` (mode 0600) so that restarts keep it.
 */
async function persistedDashKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'dash-key');
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key.length >= 16) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(24).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

function announceDashKey(logger: Logger, key: string, dataDir: string): void {
  logger.info('dashboard key (TALLY_DASH_KEY unset; kept in the file below)', { dash_key: key, file: join(dataDir, 'dash-key') });
}
