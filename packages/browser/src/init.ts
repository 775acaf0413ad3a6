import { createClient } from '@tally/core';
import { defaultUuid, redactUrl } from '@tally/core/adapter';
import type { Client, ClientOptions, LockRunner, Lifecycle, Storage, Transport } from '@tally/core';
import { trackClicks, trackForms } from './auto/clicks.js';
import { trackErrors } from './auto/errors.js';
import { trackPageViews } from './auto/page-views.js';
import { trackVitals } from './auto/vitals.js';
import { createBrowserContext, privacySignal } from './context.js';
import { safe, type Log } from './guard.js';
import { createBrowserLifecycle } from './lifecycle.js';
import { createBrowserLock } from './lock.js';
import { createBrowserStorage } from './storage/browser-storage.js';
import { createFetchTransport } from './transport.js';
import { SDK } from './version.js';

export const AUTO_PARTS = ['pageviews', 'clicks', 'forms', 'errors', 'vitals'] as const;

/** Auto-tracking parts; each defaults to on. */
export type AutoTrack = { [part in (typeof AUTO_PARTS)[number]]?: boolean };

export interface BrowserOptions
  extends Omit<ClientOptions, 'storage' | 'transport' | 'lifecycle' | 'lock' | 'context' | 'url' | 'uuid'> {
  /** Collector base URL; events go to `${endpoint}/v1/events`. */
  endpoint: string;
  /** `false` turns all auto-tracking off; an object switches parts (parts left out stay on). */
  auto?: boolean | AutoTrack;
  /** Treat Do Not Track / Global Privacy Control as consent `denied`. Default true. */
  respectDnt?: boolean;
  /** IndexedDB database name, also the localStorage key prefix of the fallback. Default `tally`. */
  storageName?: string;
  /** Replace a platform piece (tests, unusual hosts). */
  storage?: Storage;
  transport?: Transport;
  lifecycle?: Lifecycle;
  lock?: LockRunner;
  /** UUID source. Default: `crypto.randomUUID`, else a `Math.random` v4 id (http:// pages). */
  uuid?: () => string;
}

/**
 * Auto-tracking's life. WAITING: it starts a microtask after init(), so calls made right after
 * init() (setUserId, register, consent, a replayed stub queue) apply to the first page view.
 * RUNNING: listeners on while consent allows. STOPPED: after shutdown(), for good.
 */
const WAITING = 0;
const RUNNING = 1;
const STOPPED = 2;
type AutoState = typeof WAITING | typeof RUNNING | typeof STOPPED;

/**
 * Creates a browser client: core's pipeline with IndexedDB storage, fetch/beacon transport, page
 * lifecycle, cross-tab lock and auto-tracking. Core guards every client method, so neither
 * `init` nor the client it returns throws into the page.
 */
export function init(options: BrowserOptions): Client {
  try {
    return start(options);
  } catch (err) {
    options.log?.('init failed', err);
    // Inert: every call is a no-op. Built here, not at module level, so the script tag (which
    // calls `start` inside its own try/catch) does not carry it. Not a thenable: `await init()` must not hang.
    return new Proxy({} as Client, {
      get: (_, key) =>
        key == 'then' ? undefined : key == 'stats' ? () => ({ queued: 0, dropped: 0, sent: 0 }) : () => Promise.resolve(),
    });
  }
}

/** `init` without the inert fallback: the script tag's own try/catch covers it, and saves the Proxy's bytes. */
export function start(options: BrowserOptions): Client {
  const { auto } = options;
  const log: Log | undefined = options.log ?? (options.debug ? console.log.bind(console, '[tally]') : undefined);
  const dnt = options.respectDnt !== false && privacySignal();
  // Absent or `true` → every part on; `false` → every part off; an object → the parts it names
  // `false` are off (`true[part]` is undefined).
  const isOn = (part: keyof AutoTrack) => (auto as AutoTrack)?.[part] ?? auto !== false;
  const stops: Array<() => void> = [];
  let vitals: unknown;
  let denied: unknown;
  let state: AutoState = WAITING;
  const active = () => !denied && state == RUNNING;
  // While consent is denied the SDK keeps no listeners; granting consent (re)starts
  // auto-tracking, with a page view for the page being shown. Core tells every consent change,
  // including an opt-out remembered from an earlier visit, in the order it applies them.
  const sync = safe((next: AutoState = state) => {
    state = next;
    // A tracker's stop only removes listeners and timers: it cannot throw.
    if (!active()) stops.splice(0).map((stop) => stop());
    else if (!stops.length) {
      [trackPageViews, trackClicks, trackForms, trackErrors].map((track, i) => isOn(AUTO_PARTS[i]!) && stops.push(track(client, active)));
      // Vitals observe the whole page's life (buffered entries, then the hide): started once, they
      // report only while `active`, so a consent round trip does not report a page's FCP twice.
      if (!vitals && isOn('vitals')) {
        vitals = true;
        trackVitals(client, active);
      }
    }
  }, log);

  const lock = options.lock ?? createBrowserLock();
  let href: string | undefined;
  let url: string;
  const client = createClient({
    sdk: SDK,
    // One IndexedDB write per second of events rather than per task that tracked: a transaction
    // costs the page more than the events it holds (docs/sdk-browser.md, "When an accepted event is stored").
    persistMs: 1000,
    uuid: defaultUuid,
    ...options,
    log,
    consent: dnt ? 'denied' : options.consent,
    storage: options.storage ?? createBrowserStorage(options.storageName ?? 'tally', log, lock),
    transport: options.transport ?? createFetchTransport(options),
    lifecycle: options.lifecycle ?? createBrowserLifecycle(),
    lock,
    context: createBrowserContext(),
    // Core stores URLs as given; the referrer needs no pass, createBrowserContext keeps only its origin and path.
    // Read at every track(): redacted again only when the page's URL changed.
    url: () => (href == location.href ? url : (url = redactUrl((href = location.href)))),
    onConsent: (c) => {
      denied = c == 'denied';
      sync();
    },
  });
  queueMicrotask(() => sync(state || RUNNING));

  return {
    ...client,
    shutdown() {
      sync(STOPPED);
      client.shutdown();
    },
  };
}
