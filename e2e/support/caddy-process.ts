import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './collector-process.js';
import { freePort } from './ports.js';
import { sleep, waitFor } from './wait.js';

export const CADDY = process.env.TALLY_CADDY ?? '/usr/bin/caddy';
export const hasCaddy = () => existsSync(CADDY);

export interface CaddyProcess {
  /** `https://localhost:<port>` */
  readonly url: string;
  readonly httpsPort: number;
  /** Caddy's local root certificate (PEM), to trust the `tls internal` certificate. */
  readonly rootCa: string;
  stop(): Promise<void>;
  output(): string;
}

/**
 * Runs `deploy/Caddyfile` as shipped, with `tls internal` and free ports, in front of `upstream`.
 * Caddy keeps its local CA and certificates under a temp XDG_DATA_HOME; the admin API is off.
 */
export async function startCaddy(opts: { upstream: string; stateDir: string }): Promise<CaddyProcess> {
  const httpsPort = await freePort();
  const httpPort = await freePort();
  let out = '';
  await mkdir(opts.stateDir, { recursive: true });
  const proc: ChildProcess = spawn(CADDY, ['run', '--config', resolve(REPO_ROOT, 'deploy/Caddyfile'), '--adapter', 'caddyfile'], {
    cwd: opts.stateDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: opts.stateDir,
      XDG_DATA_HOME: join(opts.stateDir, 'data'),
      XDG_CONFIG_HOME: join(opts.stateDir, 'config'),
      TALLY_DOMAIN: 'localhost',
      TALLY_TLS: 'internal',
      TALLY_HTTP_PORT: String(httpPort),
      TALLY_HTTPS_PORT: String(httpsPort),
      TALLY_CADDY_ADMIN: 'off',
      TALLY_UPSTREAM: opts.upstream,
    },
  });
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.once('error', (err) => (out += `spawn failed: ${err.message}\n`));
  const url = `https://localhost:${httpsPort}`;
  const rootFile = join(opts.stateDir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  let rootCa = '';
  await waitFor(
    `Caddy to answer on ${url}/healthz`,
    async () => {
      if (proc.exitCode !== null) throw new Error(`caddy exited with ${proc.exitCode}:\n${out}`);
      rootCa = await readFile(rootFile, 'utf8').catch(() => '');
      if (!rootCa) return false;
      try {
        return (await httpsRequest(url, '/healthz', { ca: rootCa })).status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  return {
    url,
    httpsPort,
    rootCa,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
      proc.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        process.kill(-proc.pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * One HTTPS request that verifies the certificate against `ca`, optionally from a given local
 * address (127.0.0.2, 127.0.0.3, ...: distinct "visitors" on one machine).
 */
export function httpsRequest(
  base: string,
  path: string,
  opts: { ca: string; method?: string; body?: string; headers?: Record<string, string>; localAddress?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(path, base);
  return new Promise((res, rej) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? 'GET',
        ca: opts.ca,
        localAddress: opts.localAddress,
        agent: false,
        headers: { host: u.host, ...opts.headers },
      },
      (r) => {
        let body = '';
        r.setEncoding('utf8').on('data', (d: string) => (body += d));
        r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body }));
      },
    );
    req.once('error', rej);
    req.end(opts.body);
  });
}
