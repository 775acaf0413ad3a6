import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers for tests that run the real collector as a child process (loopback, temp data dir). */

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

export interface Collector {
  url: string;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startCollector(dataDir: string, env: Record<string, string> = {}, startTimeoutMs = 15_000): Promise<Collector> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=tally-source', 'collector/src/cli/main.ts', 'serve'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        TALLY_HOST: '127.0.0.1',
        TALLY_PORT: '0',
        TALLY_DATA_DIR: dataDir,
        TALLY_DASH_KEY: 'test-dash-key-0123456789',
        TALLY_RATE_LIMIT: '0',
        TALLY_BOT_FILTER: 'off',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    proc.once('exit', (code, signal) => res({ code, signal })),
  );
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`collector did not start:\n${out}`)), startTimeoutMs);
    const check = () => {
      const m = /"msg":"listening","url":"([^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      rej(new Error(`collector exited before listening:\n${out}`));
    });
  });
  return { url, proc, output: () => out, exited };
}

/** Stops a child that a test left running (failure paths), so no process outlives the test. */
export function killQuietly(c: Collector | undefined): void {
  if (c && c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
}

export function realisticEvent(i: number): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    event_id: randomUUID(),
    event_type: i % 5 === 0 ? 'action' : 'page_view',
    ts: now,
    feature: i % 5 === 0 ? 'signup_button' : 'pricing',
    anonymous_id: `anon-${(i * 7919) % 100_000}`,
    session_id: `s-${(i * 31) % 5000}`,
    url: `https://app.example.com/pricing?ref=${i % 17}`,
    metadata: { plan: 'team', seats: i % 40 },
    context: { browser: 'Chrome', os: 'macOS', device_type: 'desktop', locale: 'en-US', screen: '1920x1080', sdk: { name: 'tally-browser', version: '0.1.0' } },
  };
}

export async function postBatch(url: string, events: unknown[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events, sent_at: new Date().toISOString() }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Every line of every day file, parsed; throws on a torn or unparsable line. */
export function storedIds(dataDir: string): string[] {
  const dir = join(dataDir, 'events');
  if (!existsSync(dir)) return [];
  const ids: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ndjson')).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) throw new Error(`${name}: torn last line`);
    for (const line of text.split('\n').slice(0, -1)) {
      const ev = JSON.parse(line) as { event_id?: unknown };
      if (typeof ev.event_id !== 'string') throw new Error(`${name}: line without event_id`);
      ids.push(ev.event_id);
    }
  }
  return ids;
}

/**
 * Runs one CLI command (`pnpm collector <args>`) as a child process without blocking the event
 * loop, so a test can keep sending batches to a running collector meanwhile.
 */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const proc = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('error', rej);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

/** Starts one CLI command as a child process (stdout and stderr piped), for a test that kills it. */
export function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=tally-source', 'collector/src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TALLY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** GET a query endpoint of a collector started with the helpers' dash key; throws on a non-200. */
export async function query(url: string, path: string, key = 'test-dash-key-0123456789'): Promise<unknown> {
  const res = await fetch(`${url}${path}`, { headers: { 'x-dash-key': key } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
