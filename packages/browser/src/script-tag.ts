import { AUTO_PARTS, init, type AutoTrack } from './init.js';
import type { ConsentState } from '@tally/core';
import { safe } from './guard.js';
import { SDK } from './version.js';

type Global = Record<string, unknown> & { q?: Array<[string, ArrayLike<unknown>]>; version?: string };

/** `data-auto`: absent, empty or `all` → everything; `none` → nothing; else a list of parts to keep on. */
export function parseAuto(value: string | null): boolean | AutoTrack {
  const words = (value || 'all').toLowerCase().split(/[\s,]+/).filter(Boolean);
  if (!words.length || words.includes('all')) return true;
  const auto: AutoTrack = {};
  for (const part of AUTO_PARTS) auto[part] = words.includes(part);
  return auto;
}

const CONSENT_STATES = ['granted', 'pending', 'denied'];

/**
 * Script-tag entry: configure from `document.currentScript`'s data attributes, turn the stub
 * `window.tally = {q: [...]}` into the real client in place (so references taken earlier keep
 * working), then replay the queued calls in order. A second copy of the script finds
 * `tally.version` set and does nothing.
 */
export function boot(): void {
  const w = window as unknown as { tally?: Global };
  // Own property only: `<div id="tally">` would otherwise be mistaken for the global.
  const g: Global = (Object.prototype.hasOwnProperty.call(w, 'tally') && w.tally) || (w.tally = {});
  if (g.version) return;
  g.version = SDK.version;

  const script = (document.currentScript ||
    document.querySelector('script[data-app],script[data-endpoint]')) as HTMLScriptElement | null;
  const attr = (name: string) => script?.getAttribute('data-' + name) ?? null;
  const consent = attr('consent');
  const debug = attr('debug');
  const client = init({
    endpoint: attr('endpoint') || (script?.src ? new URL(script.src, location.href).origin : location.origin),
    app: attr('app') || undefined,
    consent: consent && CONSENT_STATES.includes(consent) ? (consent as ConsentState) : undefined,
    auto: parseAuto(attr('auto')),
    debug: debug !== null && debug !== 'false',
  });

  const queued = Array.isArray(g.q) ? g.q : [];
  delete g.q;
  Object.assign(g, client);
  for (const [method, args] of queued) {
    const fn = g[method];
    if (typeof fn == 'function') safe(() => fn(...Array.from(args)))();
  }
}

try {
  boot();
} catch {
  // The host page must never see the SDK fail.
}
