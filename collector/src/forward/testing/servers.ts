import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { freePort } from '../../testing/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real servers for the forwarder tests, started and stopped by the tests on loopback:
 * - Kafka: librdkafka's mock cluster inside `kcat` (a real Kafka-protocol broker; Debian has no
 *   Kafka). It lives while kcat's stdin is open and logs its address with `-d mock`.
 * - ClickHouse: Debian's `clickhouse-server` (18.16) as a normal process, with a copy of
 *   /etc/clickhouse-server/config.xml whose paths point into a temp dir and whose ports are free.
 * Both are installed by `.ci/run`.
 */

export interface RunningServer {
  /** Kafka: `127.0.0.1:PORT`; ClickHouse: `http://127.0.0.1:PORT`. */
  address: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const STARTUP_MS = 60_000;

function watch(proc: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> & { output(): string } {
  let out = '';
  const p = new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${STARTUP_MS} ms:\n${out.slice(-4000)}`)), STARTUP_MS);
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      if (out.length > 1 << 20) out = out.slice(-(1 << 19));
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${out.slice(-4000)}`));
    });
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  return Object.assign(p, { output: () => out });
}

function stopper(proc: ChildProcess, signal: NodeJS.Signals, before?: () => void): () => Promise<void> {
  return async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    before?.();
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
}

/** One-broker Kafka mock cluster (kcat + librdkafka). Stop it to simulate a broker outage. */
export async function startKafkaMock(): Promise<RunningServer> {
  const proc = spawn('kcat', ['-P', '-b', 'localhost:9092', '-t', 'warmup', '-X', 'test.mock.num.brokers=1', '-d', 'mock'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const ready = watch(proc, /bootstrap\.servers=(127\.0\.0\.1:\d+)/, 'kcat mock cluster');
  const m = await ready;
  return {
    address: m[1]!,
    proc,
    output: ready.output,
    stop: stopper(proc, 'SIGTERM', () => proc.stdin?.end()),
  };
}

/** Reads a whole topic back with `kcat -C`; each message as key, value and headers. */
export async function readTopic(broker: string, topic: string): Promise<{ key: string; value: string; headers: string }[]> {
  // `-f` with a separator that cannot occur in JSON or keys: one record per \x1e, fields by \x1f.
  const proc = spawn('kcat', ['-C', '-b', broker, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\x1f%s\x1f%h\x1e'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`kcat -C ${topic} failed (${code}): ${err}`);
  return out
    .split('\x1e')
    .filter((r) => r.trim() !== '')
    .map((r) => {
      const [key, value, headers] = r.replace(/^\n/, '').split('\x1f');
      return { key: key ?? '', value: value ?? '', headers: headers ?? '' };
    });
}

/**
 * Debian's ClickHouse server (18.16) in a temp dir (under `root`, default the OS temp dir) on free
 * loopback ports; HTTP interface only is used.
 */
export async function startClickHouse(httpPort?: number, root = tmpdir()): Promise<RunningServer> {
  const dir = await mkdtemp(join(root, 'tally-ch-'));
  const [http, tcp, inter] = [httpPort ?? (await freePort()), await freePort(), await freePort()];
  let config = await readFile('/etc/clickhouse-server/config.xml', 'utf8');
  config = config
    .replace(/<log>[^<]*<\/log>/, `<log>${dir}/server.log</log>`)
    .replace(/<errorlog>[^<]*<\/errorlog>/, `<errorlog>${dir}/server.err.log</errorlog>`)
    .replace(/<http_port>\d+<\/http_port>/, `<http_port>${http}</http_port>`)
    .replace(/<tcp_port>\d+<\/tcp_port>/, `<tcp_port>${tcp}</tcp_port>`)
    .replace(/<https_port>\d+<\/https_port>/, '')
    .replace(/<tcp_port_secure>\d+<\/tcp_port_secure>/, '')
    .replace(/<interserver_http_port>\d+<\/interserver_http_port>/, `<interserver_http_port>${inter}</interserver_http_port>`)
    .replace(/<listen_host>::1<\/listen_host>/, '')
    .replaceAll('/var/lib/clickhouse/', `${dir}/`)
    .replace(/<users_config>[^<]*<\/users_config>/, `<users_config>${dir}/users.xml</users_config>`);
  await writeFile(join(dir, 'config.xml'), config);
  await writeFile(join(dir, 'users.xml'), await readFile('/etc/clickhouse-server/users.xml', 'utf8'));
  const proc = spawn('clickhouse-server', [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${http}`;
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const stop = stopper(proc, 'SIGTERM');
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`clickhouse-server exited (${proc.exitCode}):\n${out.slice(-4000)}${await readFile(join(dir, 'server.err.log'), 'utf8').catch(() => '')}`);
    try {
      const res = await fetch(`${url}/?query=${encodeURIComponent('SELECT version()')}`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`clickhouse-server did not answer within ${STARTUP_MS} ms:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: url,
    proc,
    output: () => out,
    stop: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs one statement over ClickHouse's HTTP interface and returns the body (tests' own check, not the sink's client). */
export function chQuery(url: string, sql: string): Promise<string> {
  // A fresh connection each time: 18.16 closes idle keep-alive sockets after 3 s, and a pooled
  // socket it closed fails the next query.
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`ClickHouse ${res.statusCode}: ${text}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(sql);
  });
}

export { freePort };
