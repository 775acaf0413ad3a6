import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { etagMatches, sdkBundleSource, type SdkBundleSource } from './sdk-bundle.js';
import { readDemoFile, resolveDemoDir, resolveDemoFile } from './demo-files.js';

export interface StaticOptions {
  /** Where the script-tag bundle comes from; defaults to `@tally/browser/tally.global.js`. */
  sdk?: SdkBundleSource;
  /** The demo site's folder; defaults to the `@tally/demo` package. Null serves no demo. */
  demoDir?: string | null;
}

/**
 * `/sdk.js` is not versioned in its URL (sites paste one script tag and never touch it again), so a
 * long max-age would pin visitors to an old SDK for that long after an upgrade. Five minutes bounds
 * that staleness while keeping repeat page loads off the network; after it, the strong ETag turns
 * revalidation into a body-less 304.
 */
const SDK_CACHE_CONTROL = 'public, max-age=300';

/**
 * Static files: the script-tag SDK and the demo site. Mounted last, so its catch-all for demo pages
 * never shadows an API route.
 */
export function staticRoutes(deps: AppDeps, options: StaticOptions = {}): Hono {
  const sdk = options.sdk ?? sdkBundleSource();
  const demoDir = options.demoDir === undefined ? resolveDemoDir() : options.demoDir;
  const app = new Hono();
  // Warn once per outage, not once per page view of every site embedding the script.
  let warned = false;

  app.get('/sdk.js', async (c) => {
    const bundle = await sdk.load();
    if (!bundle && !warned) {
      warned = true;
      deps.logger.warn('sdk bundle missing: run `pnpm build`', { path: sdk.path });
    }
    if (!bundle) {
      return c.json(
        {
          ok: false,
          error: `the browser SDK bundle is not built (expected ${sdk.path ?? '@tally/browser/tally.global.js'}); run \`pnpm build\``,
        },
        503,
        { 'Cache-Control': 'no-store', 'Retry-After': '60' },
      );
    }
    warned = false;
    const headers = {
      ETag: bundle.etag,
      'Cache-Control': SDK_CACHE_CONTROL,
      // Lets sites load it with `crossorigin` + Subresource Integrity; the file is public anyway.
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
    };
    if (etagMatches(c.req.header('If-None-Match'), bundle.etag)) return c.body(null, 304, headers);
    return c.body(bundle.body, 200, { ...headers, 'Content-Type': 'application/javascript; charset=utf-8' });
  });

  app.get('/*', async (c) => {
    if (!demoDir) return c.notFound();
    // The raw, still-encoded path: resolveDemoFile decodes exactly once and checks the result.
    const url = new URL(c.req.url);
    const file = await resolveDemoFile(demoDir, url.pathname);
    if (!file) return c.notFound();
    const { body, type } = await readDemoFile(file, url.origin);
    // The demo is edited by hand while the collector runs: always revalidate.
    return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  });

  return app;
}
