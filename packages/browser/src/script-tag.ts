import type { ConsentState } from '@tally/core';
import { AUTO_PARTS, start, type AutoTrack } from './init.js';
import { SDK } from './version.js';

type Global = Record<string, unknown> & { q?: Array<[string, ArrayLike<unknown>]> };

/** `data-auto`: absent, empty or `all` → everything; `none` → nothing; else the parts to keep on. */
export function parseAuto(value: string | null): boolean | AutoTrack {
  const words = (value || 'all').toLowerCase().split(/[\s,]+/);
  if (words.includes('all')) return true;
  const auto: AutoTrack = {};
  for (const part of AUTO_PARTS) auto[part] = words.includes(part);
  return auto;
}

/**
 * Script-tag entry: configure from `document.currentScript`'s data attributes, turn the stub
 * `window.tally = {q: [...]}` into the real client in place (references taken earlier keep
 * working), then replay the queued calls in order. A second copy of the script finds
 * `tally.version` set and does nothing.
 */
export function boot(): void {
  const w = window as unknown as { tally?: Global };
  // Own property only: `<div id="tally">` also shows up as `window.tally`.
  const g: Global = ({}.hasOwnProperty.call(w, 'tally') && w.tally) || (w.tally = {});
  if (g.version) return;
  g.version = SDK.version;

  // currentScript is null in a module script or an event handler; then find the tag by its attributes.
  const script = (document.currentScript || document.querySelector('script[data-app],script[data-endpoint]')) as HTMLScriptElement | null;
  const attr = (name: string) => script && script.getAttribute('data-' + name);
  const consent = attr('consent') as ConsentState;
  const debug = attr('debug');
  const client = start({
    endpoint: attr('endpoint') || new URL(script?.src || location.href, location.href).origin,
    app: attr('app') || undefined,
    consent: ['granted', 'pending', 'denied'].includes(consent) ? consent : undefined,
    auto: parseAuto(attr('auto')),
    debug: debug != null && debug != 'false',
  });

  const queued = g.q || [];
  delete g.q;
  Object.assign(g, client);
  // Client methods never throw (core guards them); a bogus entry is skipped.
  for (const [method, args] of queued) (g[method] as (...a: unknown[]) => void)?.apply?.(g, Array.from(args));
}

try {
  boot();
} catch {
  // The host page must never see the SDK fail.
}
