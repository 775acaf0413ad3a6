import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './collector-process.js';
import { httpsRequest } from './caddy-process.js';
import { freePort } from './ports.js';
import { sleep, waitFor } from './wait.js';

export const NGINX = process.env.TALLY_NGINX ?? '/usr/sbin/nginx';
export const hasNginx = () => existsSync(NGINX) && existsSync('/usr/bin/openssl');

export interface NginxProcess {
  readonly url: string;
  /** The self-signed certificate (PEM) nginx serves, to trust it. */
  readonly cert: string;
  stop(): Promise<void>;
}

/**
 * Runs deploy/nginx.conf in front of `upstream`. Only the deployment-specific values are replaced,
 * each of which must be present: the name, the ports, the certificate paths (a fresh self-signed
 * certificate for localhost) and the upstream address.
 */
export async function startNginx(opts: { upstream: string; stateDir: string }): Promise<NginxProcess> {
  await mkdir(opts.stateDir, { recursive: true });
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const certFile = join(opts.stateDir, 'cert.pem');
  const keyFile = join(opts.stateDir, 'key.pem');
  const made = spawnSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyFile, '-out', certFile], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);

  let site = await readFile(resolve(REPO_ROOT, 'deploy/nginx.conf'), 'utf8');
  const swap = (from: string, to: string) => {
    if (!site.includes(from)) throw new Error(`deploy/nginx.conf no longer contains ${from}`);
    site = site.replaceAll(from, to);
  };
  swap('/etc/letsencrypt/live/tally.example.com/fullchain.pem', certFile);
  swap('/etc/letsencrypt/live/tally.example.com/privkey.pem', keyFile);
  swap('server_name tally.example.com;', 'server_name localhost;');
  // IPv6 may be off on a CI machine; the IPv4 listeners are enough here.
  swap('listen [::]:80;', '');
  swap('listen 80;', `listen 127.0.0.1:${httpPort};`);
  swap('listen [::]:443 ssl http2;', '');
  swap('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`);
  swap('proxy_pass http://127.0.0.1:8787;', `proxy_pass http://${opts.upstream};`);
  swap('root /var/www/html;', `root ${opts.stateDir};`);
  await writeFile(join(opts.stateDir, 'tally.conf'), site);
  const s = opts.stateDir;
  await writeFile(
    join(s, 'nginx.conf'),
    `daemon off;\nmaster_process off;\npid ${s}/nginx.pid;\nerror_log stderr warn;\nevents {}\nhttp {\n  access_log off;\n` +
      `  client_body_temp_path ${s}/body; proxy_temp_path ${s}/proxy; fastcgi_temp_path ${s}/fcgi; uwsgi_temp_path ${s}/uwsgi; scgi_temp_path ${s}/scgi;\n` +
      `  types { application/javascript js; text/html html; }\n  include ${s}/tally.conf;\n}\n`,
  );
  let out = '';
  const proc: ChildProcess = spawn(NGINX, ['-c', join(s, 'nginx.conf'), '-p', s], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  proc.once('error', (err) => (out += `spawn failed: ${err.message}\n`));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = `https://localhost:${httpsPort}`;
  const cert = await readFile(certFile, 'utf8');
  await waitFor(
    `nginx to answer on ${url}/healthz`,
    async () => {
      if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode}:\n${out}`);
      try {
        return (await httpsRequest(url, '/healthz', { ca: cert })).status === 200;
      } catch {
        return false;
      }
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  return {
    url,
    cert,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGQUIT');
      if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}
