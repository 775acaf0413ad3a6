import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, waitFor } from './wait.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface CollectorProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Graceful stop (SIGTERM, as an operator would), SIGKILL to the process group after 10 s. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** stdout + stderr so far, for failure messages. */
  output(): string;
}

const running = new Set<ChildProcess>();
// If the test process dies without its afterAll, do not leave collectors listening.
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole group we created with `detached`, i.e. tsx and the node it spawns.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * The real collector, as `pnpm collector serve` runs it (tsx, workspace sources), in its own process
 * group on loopback. The bot filter is off because the user agent says HeadlessChrome, and the
 * rate limit is off because a test sends bursts from one address.
 */
export async function startCollector(opts: { port: number; dataDir: string; env?: Record<string, string> }): Promise<CollectorProcess> {
  const tsxCli = createRequire(resolve(REPO_ROOT, 'package.json')).resolve('tsx/cli');
  const url = `http://127.0.0.1:${opts.port}`;
  let child: ChildProcess | undefined;
  let out = '';

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) throw new Error('collector already running');
    const proc = spawn(
      process.execPath,
      [tsxCli, '--conditions=tally-source', 'collector/src/cli/main.ts', 'serve'],
      {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          TALLY_HOST: '127.0.0.1',
          TALLY_PORT: String(opts.port),
          TALLY_DATA_DIR: opts.dataDir,
          TALLY_BOT_FILTER: 'off',
          TALLY_RATE_LIMIT: '0',
          TALLY_FSYNC: 'always',
          TALLY_LOG_LEVEL: 'warn',
          ...opts.env,
        },
      },
    );
    child = proc;
    running.add(proc);
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', () => running.delete(proc));
    await waitFor(
      `the collector to answer on ${url}/healthz`,
      async () => {
        if (proc.exitCode !== null) throw new Error(`collector exited with ${proc.exitCode}:\n${out}`);
        try {
          const res = await fetch(`${url}/healthz`);
          return res.ok;
        } catch {
          return false;
        }
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  };

  const stop = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    // To tsx only: it relays the signal to the collector once. Signalling the whole group would
    // deliver it twice, and the collector reads a second SIGTERM as "stop draining, exit now".
    proc.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      killGroup(proc, 'SIGKILL');
      await exited;
    }
    // The port must be free before a restart can bind it again.
    await waitFor(`port ${opts.port} to close`, async () => {
      try {
        await fetch(`${url}/healthz`);
        return false;
      } catch {
        return true;
      }
    });
  };

  await start();
  return { url, port: opts.port, dataDir: opts.dataDir, start, stop, output: () => out };
}
