import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { DEMO_CONTENT_TYPES, resolveDemoFile, withOrigin } from '../../collector/src/site/index.js';
import { REPO_ROOT } from './collector-process.js';

const DEMO_DIR = resolve(REPO_ROOT, 'demo');
/** Test-only pages (`e2e/pages/x.html` at `/__e2e/x`), same placeholders as the demo's. */
const PAGES_DIR = resolve(REPO_ROOT, 'e2e', 'pages');
/**
 * Google's web-vitals, served to the vitals test page as the reference the SDK's own measurements
 * are compared with (the SDK does not ship it).
 */
const WEB_VITALS = join(dirname(createRequire(import.meta.url).resolve('web-vitals')), 'web-vitals.iife.js');
const WEB_VITALS_PATH = '/__e2e/web-vitals.js';

const TYPES = DEMO_CONTENT_TYPES;

/** A page without the SDK: somewhere to navigate to when a test needs the SDK gone. */
export const BLANK_PATH = '/__blank';

export interface DemoServer {
  readonly url: string;
  /** `data-app` written into the script tag from now on, so each test's events are told apart. */
  setApp(app: string): void;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  /** Serves `body` at `path` from now on (a page or script a test builds itself). */
  serve(path: string, body: string, contentType: string): void;
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
  // Bodies served as they are, before any file lookup: the blank page, the reference web-vitals
  // build, and whatever a test `serve`s.
  const extra = new Map<string, { body: string; contentType: string }>([
    [BLANK_PATH, { body: '<!doctype html><title>blank</title><p>No SDK on this page.</p>', contentType: TYPES['.html']! }],
    [WEB_VITALS_PATH, { body: await readFile(WEB_VITALS, 'utf8'), contentType: TYPES['.js']! }],
  ]);
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const built = extra.get(path);
    if (built) {
      res.writeHead(200, { 'Content-Type': built.contentType, 'Cache-Control': 'no-store' });
      res.end(built.body);
      return;
    }
    // The demo's own URL rules (collector/src/site/demo-files.ts); `/__e2e/x` is `e2e/pages/x.html`.
    const page = path.startsWith('/__e2e/');
    const file = page ? await resolveDemoFile(PAGES_DIR, `/${path.slice('/__e2e/'.length)}`) : await resolveDemoFile(DEMO_DIR, path);
    const type = file === null ? undefined : TYPES[extname(file)];
    if (file === null || type === undefined) {
      res.writeHead(404).end();
      return;
    }
    try {
      let body: string = await readFile(file, 'utf8');
      if (type.startsWith('text/html')) body = withOrigin(body, collectorUrl).replace('data-app="demo"', `data-app="${app}"`);
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setApp: (name) => {
      app = name;
    },
    serve: (path, body, contentType) => void extra.set(path, { body, contentType }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
