import { AUTO_PARTS, start, type AutoTrack } from './init.js';
import { SDK } from './version.js';

type Global = Record<string, any>;

/**
 * `data-auto`: absent, empty or `all` → everything; `none` → nothing; else the parts to keep on.
 * A substring test is enough to read a comma/space separated list: no part's name contains another's.
 */
export function parseAuto(value?: string | null): boolean | AutoTrack {
  const words = (value || 'all').toLowerCase();
  return words.includes('all') || Object.fromEntries(AUTO_PARTS.map((part) => [part, words.includes(part)]));
}

/**
 * Script-tag entry: configure from `document.currentScript`'s data attributes, turn the stub
 * `window.tally = {q: [...]}` into the real client in place (references taken earlier keep
 * working), then replay the queued calls in order. A second copy of the script finds
 * `tally.version` set and does nothing.
 */
export function boot(): void {
  const w = window as unknown as { tally?: Global } & Global;
  // Own property only: `<div id="tally">` also shows up as `window.tally`.
  const g: Global = (w.hasOwnProperty('tally') && w.tally) || (w.tally = {});
  if (g.version) return;
  g.version = SDK.version;

  // currentScript is null in a module script or an event handler; then find the tag by its attributes.
  const { dataset: data = {}, src } = (document.currentScript ||
    document.querySelector('script[data-app],script[data-endpoint]') ||
    {}) as Partial<HTMLScriptElement>;
  const { consent, debug } = data;
  const queued = g.q;
  delete g.q;
  Object.assign(
    g,
    start({
      endpoint: data.endpoint || new URL(src || location.href).origin,
      app: data.app || undefined,
      // Anything else (including `granted`) is the default, granted.
      consent: /^(pending|denied)$/.test(consent!) ? (consent as 'pending') : undefined,
      auto: parseAuto(data.auto),
      debug: debug != null && debug != 'false',
    }),
  );
  // Client methods never throw (core guards them); a bogus entry is skipped. `apply` takes the
  // stub's `arguments` objects as they are.
  for (const [method, args] of queued || []) g[method]?.apply?.(g, args);
}

try {
  boot();
} catch {
  // The host page must never see the SDK fail.
}
