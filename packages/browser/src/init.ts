import { createClient } from '@tally/core';
import type { Client, ClientOptions, ConsentState, LockRunner, Lifecycle, Storage, Transport } from '@tally/core';
import type { Consent } from '@tally/protocol';
import { trackClicks, trackForms } from './auto/clicks.js';
import { trackErrors } from './auto/errors.js';
import { trackPageViews } from './auto/page-views.js';
import { trackVitals } from './auto/vitals.js';
import { createBrowserContext, privacySignal } from './context.js';
import { guardClient, safe, type Log } from './guard.js';
import { createBrowserLifecycle } from './lifecycle.js';
import { createBrowserLock } from './lock.js';
import { createBrowserStorage } from './storage/browser-storage.js';
import { createFetchTransport } from './transport.js';
import { SDK } from './version.js';

/** Auto-tracking parts; each defaults to on. */
export interface AutoTrack {
  pageviews?: boolean;
  clicks?: boolean;
  forms?: boolean;
  errors?: boolean;
  vitals?: boolean;
}

export const AUTO_PARTS = ['pageviews', 'clicks', 'forms', 'errors', 'vitals'] as const;

export interface BrowserOptions
  extends Omit<ClientOptions, 'storage' | 'transport' | 'lifecycle' | 'lock' | 'context' | 'url'> {
  /** Collector base URL; events go to `${endpoint}/v1/events`. */
  endpoint: string;
  /** `false` turns all auto-tracking off; an object switches parts (missing parts stay on). */
  auto?: boolean | AutoTrack;
  /** Treat Do Not Track / Global Privacy Control as consent `denied`. Default true. */
  respectDnt?: boolean;
  /** IndexedDB database (and localStorage prefix) name. Default `tally`. */
  storageName?: string;
  /** Replace a platform piece (tests, unusual hosts). */
  storage?: Storage;
  transport?: Transport;
  lifecycle?: Lifecycle;
  lock?: LockRunner;
}

const deniedBy = (c: Partial<Consent> | ConsentState | undefined, was: boolean): boolean =>
  typeof c == 'string' ? c === 'denied' : c && typeof c == 'object' && 'analytics' in c ? c.analytics === false : was;

/**
 * Creates a browser client: core's pipeline with IndexedDB storage, fetch/beacon transport, page
 * lifecycle, cross-tab lock and auto-tracking. Never throws; the returned client never throws.
 */
export function init(options: BrowserOptions): Client {
  const log: Log | undefined =
    options.log ?? (options.debug ? (message, detail) => console.log('[tally]', message, detail ?? '') : undefined);
  const { auto = true, respectDnt = true, storageName = 'tally', endpoint, ...rest } = options;
  const dnt = respectDnt && privacySignal();
  let denied = dnt || deniedBy(options.consent, false);
  if (dnt) log?.('Do Not Track / Global Privacy Control: consent denied');

  const client = guardClient(
    createClient({
      ...rest,
      consent: dnt ? 'denied' : options.consent,
      storage: options.storage ?? createBrowserStorage(storageName, log),
      transport: options.transport ?? createFetchTransport({ endpoint }),
      lifecycle: options.lifecycle ?? createBrowserLifecycle(),
      lock: options.lock ?? createBrowserLock(),
      context: createBrowserContext(options.sdk ?? SDK),
      url: () => location.href,
      sdk: options.sdk ?? SDK,
      log,
    }),
    log,
  );

  const parts: AutoTrack = auto === true ? {} : auto === false ? { pageviews: false, clicks: false, forms: false, errors: false, vitals: false } : auto;
  const stops: Array<() => void> = [];
  let started = false;
  const active = () => !denied;
  // Auto-tracking starts on the first moment consent is not denied: with consent denied the SDK
  // adds no listeners, patches nothing and observes no performance entries.
  const start = safe(() => {
    if (started || denied) return;
    started = true;
    if (parts.pageviews !== false) stops.push(trackPageViews(client, active));
    if (parts.clicks !== false) stops.push(trackClicks(client, active));
    if (parts.forms !== false) stops.push(trackForms(client, active));
    if (parts.errors !== false) stops.push(trackErrors(client, active));
    if (parts.vitals !== false) stops.push(trackVitals(client, active));
  }, log);

  const setDenied = (value: boolean) => {
    denied = value;
    start();
  };
  const api: Client = {
    ...client,
    consent: safe((c) => {
      client.consent(c);
      setDenied(deniedBy(c, denied));
    }, log),
    optOut: safe(() => {
      client.optOut();
      setDenied(true);
    }, log),
    optIn: safe(() => {
      client.optIn();
      setDenied(false);
    }, log),
    shutdown: safe(() => {
      for (const stop of stops.splice(0)) safe(stop, log)();
      client.shutdown();
    }, log),
  };
  // A microtask later, so calls made right after init() (setUserId, register, a replayed stub
  // queue, consent) apply to the first page view.
  Promise.resolve().then(start);
  return api;
}
