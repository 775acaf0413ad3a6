import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from './metrics.js';

/**
 * Observes every request's latency under the route *pattern* that answered it (never the raw path,
 * so a scanner cannot blow up the label set). Unmatched requests share one label.
 */
export function requestTiming(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.observeRequest(routeLabel(c), seconds, c.res.status);
    }
  };
}

function routeLabel(c: Parameters<MiddlewareHandler>[0]): string {
  const p = routePath(c);
  // A 404 that ended on a wildcard middleware means no handler matched.
  return p === '' || (p.includes('*') && c.res.status === 404) ? 'unmatched' : p;
}
