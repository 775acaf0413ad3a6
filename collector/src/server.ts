import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import type { AppDeps } from './deps.js';

export interface RunningServer {
  url: string;
  /** Stops accepting connections and resolves once in-flight requests have been answered. */
  stop(): Promise<void>;
}

/** Listens on the configured host and port; logs one JSON line with the URL. */
export function startServer(deps: AppDeps): Promise<RunningServer> {
  const app = createApp(deps);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: deps.config.host, port: deps.config.port }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      const url = `http://${host}:${info.port}`;
      deps.logger.info('listening', { url, data_dir: deps.config.dataDir, fsync: deps.config.fsync });
      resolve({ url, stop: () => stop(server as Server) });
    }) as Server;
    server.once('error', reject);
    // Loads of small batches on keep-alive connections: don't let Node's 5 s default close them under the client.
    server.keepAliveTimeout = 65_000;
  });
}

/** How long in-flight requests get to finish after a stop signal before their sockets are cut. */
const DRAIN_MS = 10_000;

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // close() stops accepting and waits for open requests; idle keep-alive sockets would hold it forever.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const hard = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    hard.unref();
    server.close(() => {
      clearInterval(idle);
      clearTimeout(hard);
      resolve();
    });
    server.closeIdleConnections();
  });
}
