import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

/**
 * The one way tests and benchmarks run the real collector as a child process: `serve` from the
 * workspace sources, as `pnpm collector serve` runs it, on loopback with a data directory of the
 * caller's. Collector unit tests, the crash/disk tests, the end-to-end tests and the benchmarks all
 * start it here.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The query API key every test collector (in-process or child) is started with. */
export const TEST_DASH_KEY = 'test-dash-key-0123456789';

const MAIN = 'collector/src/cli/main.ts';
// One node process with tsx loaded as a hook, not the tsx CLI (which runs the collector in a second
// node and relays signals): a signal sent to `proc` reaches the collector itself, exactly once —
// the collector reads a second SIGTERM as "stop draining, exit now".
const NODE_ARGS = ['--import', 'tsx', '--conditions=tally-source'];

export interface CollectorProcessOptions {
  dataDir: string;
  /** Loopback port; a free one when absent. A restart (`start()`) keeps it. */
  port?: number;
  /** Environment on top of the test defaults (see `testEnv`); the collector reads `''` as unset. */
  env?: Record<string, string>;
  /** Extra flags for node (`--cpu-prof`, …). */
  nodeArgs?: string[];
  /** Each chunk of stdout and stderr as it arrives. */
  onOutput?: (chunk: string) => void;
  /** How long to wait for `/healthz` to answer. Default 60 s (the machine may be loaded). */
  startTimeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CollectorProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The running (or last) collector process; a signal sent to it reaches the collector. */
  readonly proc: ChildProcess;
  /** Resolves when the current process has exited. */
  readonly exited: Promise<Exit>;
  /** Starts it again on the same port and data directory (after `stop` or a crash). */
  start(): Promise<void>;
  /** Graceful stop (SIGTERM, as an operator would); SIGKILL to its process group after 10 s. */
  stop(): Promise<Exit>;
  /** SIGKILL now (a crash); resolves on exit. Nothing when it is not running. */
  kill(): Promise<Exit | undefined>;
  /** stdout + stderr of every start so far. */
  output(): string;
}

/**
 * The environment a test collector gets: nothing of the caller's `TALLY_*`, loopback, the test
 * dash key, no rate limit (a test sends bursts from one address) and no bot filter (HeadlessChrome
 * says it is a bot). Only PATH, HOME and TMPDIR are taken from the caller.
 */
export function testEnv(dataDir: string, port: number, overrides: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    TALLY_HOST: '127.0.0.1',
    TALLY_PORT: String(port),
    TALLY_DATA_DIR: dataDir,
    TALLY_DASH_KEY: TEST_DASH_KEY,
    TALLY_RATE_LIMIT: '0',
    TALLY_BOT_FILTER: 'off',
  };
  for (const k of ['PATH', 'HOME', 'TMPDIR']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return { ...env, ...overrides };
}

const running = new Set<ChildProcess>();
// A test process that dies without its afterAll must not leave collectors listening.
process.once('exit', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
});

function isRunning(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || !isRunning(child)) return;
  try {
    process.kill(-child.pid, signal); // its own group (`detached`): workers it may have spawned too
  } catch {
    // Already gone.
  }
}

export async function startCollector(opts: CollectorProcessOptions): Promise<CollectorProcess> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let out = '';
  let proc: ChildProcess | undefined;
  let exited: Promise<Exit> = Promise.resolve({ code: null, signal: null });

  const start = async () => {
    if (isRunning(proc)) throw new Error('collector already running');
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...NODE_ARGS, MAIN, 'serve'], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: testEnv(opts.dataDir, port, opts.env),
    });
    proc = child;
    running.add(child);
    exited = new Promise<Exit>((res) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        res({ code, signal });
      }),
    );
    const onData = (d: Buffer) => {
      const s = d.toString();
      out += s;
      opts.onOutput?.(s);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    await waitForHealthz(url, child, () => out, opts.startTimeoutMs ?? 60_000);
  };

  const stop = async (): Promise<Exit> => {
    const child = proc;
    if (!isRunning(child)) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  };

  const kill = async (): Promise<Exit | undefined> => {
    const child = proc;
    if (!isRunning(child)) return undefined;
    signalGroup(child, 'SIGKILL');
    return exited;
  };

  await start();
  return {
    url,
    port,
    dataDir: opts.dataDir,
    get proc() {
      return proc!;
    },
    get exited() {
      return exited;
    },
    start,
    stop,
    kill,
    output: () => out,
  };
}

/** Ready means `/healthz` answers at all (a 503 is an answer: a test may start it on a full disk). */
async function waitForHealthz(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`collector exited (${child.exitCode ?? child.signalCode}) before it answered:\n${output()}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      await res.body?.cancel();
      return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      signalGroup(child, 'SIGKILL');
      throw new Error(`collector did not answer ${url}/healthz within ${timeoutMs} ms:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILL for a collector a test left running (failure paths), so no process outlives the test. */
export function killQuietly(c: CollectorProcess | undefined): void {
  if (c && isRunning(c.proc)) signalGroup(c.proc, 'SIGKILL');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs one CLI command (`pnpm collector <args>`) as a child process without blocking the event
 * loop, so a test can keep sending batches to a running collector meanwhile. `env` on top of PATH,
 * HOME, TMPDIR and `TALLY_LOG_LEVEL=warn`; SIGKILL after `timeoutMs`.
 */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  const started = performance.now();
  return new Promise((res, rej) => {
    const base: Record<string, string> = { TALLY_LOG_LEVEL: 'warn' };
    for (const k of ['PATH', 'HOME', 'TMPDIR']) if (process.env[k] !== undefined) base[k] = process.env[k]!;
    const proc = spawn(process.execPath, [...NODE_ARGS, MAIN, ...args], { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('error', rej);
    proc.once('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}
