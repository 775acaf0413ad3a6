import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { REPO_ROOT } from './collector-process.js';

const DEMO_DIR = resolve(REPO_ROOT, 'demo');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
};

/** A page without the SDK: somewhere to navigate to when a test needs the SDK gone. */
export const BLANK_PATH = '/__blank';

export interface DemoServer {
  readonly url: string;
  /** `data-app` written into the script tag from now on, so each test's events are told apart. */
  setApp(app: string): void;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `demo/` from an origin other than the collector's, as a real site would be: the
 * collector's URL replaces the `__TALLY_ORIGIN__` placeholder, clean URLs map to `.html` files and
 * `/app/*` to the client-routed page. Loopback only; a test helper, so no caching at all.
 */
export async function startDemoServer(collectorUrl: string): Promise<DemoServer> {
  let app = 'demo';
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    if (path === BLANK_PATH) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>blank</title><p>No SDK on this page.</p>');
      return;
    }
    const rel = path === '/' ? 'index.html' : path.startsWith('/app') && !extname(path) ? 'app.html' : extname(path) ? path.slice(1) : `${path.slice(1)}.html`;
    const file = resolve(DEMO_DIR, rel);
    const type = TYPES[extname(file)];
    if (!file.startsWith(DEMO_DIR + sep) || !type) {
      res.writeHead(404).end();
      return;
    }
    try {
      let body: string = await readFile(join(file), 'utf8');
      if (type.startsWith('text/html')) {
        body = body.replaceAll('__TALLY_ORIGIN__', collectorUrl).replace('data-app="demo"', `data-app="${app}"`);
      }
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr == 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setApp: (name) => {
      app = name;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
