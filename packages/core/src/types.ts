import type { Consent, EventContext, IngestResponse, WireEvent } from './wire.js';

/**
 * The injected platform pieces. Core never touches `window`, `document`, `navigator` or Node
 * modules: an adapter (browser, React Native) hands these in. Keep them small.
 */

/**
 * Persistent key–value storage for the queue and a few small values. Values are JSON-compatible
 * (IndexedDB stores them by structured clone, Web Storage and AsyncStorage as JSON text). Storage
 * is the source of truth for what is unsent: several tabs may share it, so every change is one
 * atomic read-modify-write (`update`) and a flush reads from it rather than from memory.
 * Either method may reject (quota, private mode, a broken connection): core then moves to an
 * in-memory storage for the rest of the page's life (see `fallbackStorage`).
 */
export interface Storage {
  /** The value under `key`; `undefined` (or `null`) when there is none. */
  get(key: string): Promise<unknown>;
  /**
   * Replaces the value under `key` with `next(current)` — `undefined` deletes it — atomically
   * against other writers of the same storage. `next` is pure: it may run again on another
   * storage if this one fails. Resolves once the write is durable.
   */
  update(key: string, next: (current: any) => unknown): Promise<void>;
}

export interface TransportResult {
  /** HTTP status; 0 for a network error or an aborted request. */
  status: number;
  /** Parsed `Retry-After`, in milliseconds. */
  retryAfterMs?: number;
  /** Parsed JSON body of a 2xx answer. */
  body?: IngestResponse;
}

export interface Transport {
  /** Sends one serialized batch (JSON text). Never rejects: failures are a status. */
  send(body: string): Promise<TransportResult>;
  /**
   * Fire-and-forget send for when the page/app is going away (`sendBeacon`, `keepalive`).
   * Returns false when the platform refused to queue it. No acknowledgement is possible, so the
   * events stay queued and the collector's `event_id` deduplication absorbs the re-send.
   */
  sendUrgent?(body: string): boolean;
}

export type LifecycleEvent = 'hidden' | 'visible' | 'online' | 'offline';

/** App/page lifecycle, injected like TanStack Query's focusManager/onlineManager. */
export interface Lifecycle {
  subscribe(listener: (event: LifecycleEvent) => void): () => void;
  isOnline(): boolean;
}

/** Time and timers, so tests can drive them. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Runs `fn` while holding a cross-tab lock (Web Locks, a lease); resolves with its result. */
export type LockRunner = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export type ConsentState = 'granted' | 'pending' | 'denied';

export interface ClientOptions {
  storage: Storage;
  transport: Transport;
  lifecycle?: Lifecycle;
  clock?: Clock;
  lock?: LockRunner;
  /** App name sent with each batch. */
  app?: string;
  /** Initial consent. `pending` keeps events in memory only until granted or denied. Default `granted`. */
  consent?: ConsentState | Consent;
  /** Context attached to every event (platform, screen, locale...). Called per event. */
  context?: () => EventContext;
  /** Current URL for `page()` and for events (query secrets are redacted by core). */
  url?: () => string | undefined;
  /** Queue bound; the oldest events are dropped (and counted) beyond it. Default 1000. */
  maxQueue?: number;
  /** Flush at once when this many events wait. Default 20. */
  flushAt?: number;
  /** Debounce after the last event. Default 1000 ms. */
  debounceMs?: number;
  /** Flush at the latest this long after the oldest unsent event. Default 5000 ms. */
  maxWaitMs?: number;
  /** Batch limits. Defaults 100 events, 64 KB. */
  maxBatchEvents?: number;
  maxBatchBytes?: number;
  /** Retry backoff: full jitter, `baseMs` doubling to `maxMs`. Defaults 1000 and 300000. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Share of anonymous ids kept, deterministic per id. Default 1. */
  sampleRate?: number;
  /** Last word on each event: return null to drop it (not counted as loss). */
  beforeSend?: (event: WireEvent) => WireEvent | null;
  /** A session ends after this much inactivity. Default 30 minutes. */
  sessionTimeoutMs?: number;
  /** Random numbers in [0, 1) for backoff jitter; tests inject a seeded one. Default `Math.random`. */
  random?: () => number;
  /** UUID source; defaults to `crypto.randomUUID` when present. */
  uuid?: () => string;
  /** SDK name and version, put in `context.sdk`. */
  sdk?: { name: string; version: string };
  /**
   * Told the consent state at creation and after every change (including a stored opt-out applied
   * at start-up), so an adapter can switch its own listeners (auto-tracking) on and off.
   */
  onConsent?: (state: ConsentState) => void;
  debug?: boolean;
  /** Where debug lines and swallowed errors go. */
  log?: (message: string, detail?: unknown) => void;
}

export interface Client {
  track(eventType: string, feature?: string, metadata?: Record<string, unknown>): void;
  page(metadata?: Record<string, unknown>): void;
  setUserId(id: string | null): void;
  register(props: Record<string, unknown>): void;
  unregister(key: string): void;
  consent(consent: Partial<Consent> | ConsentState): void;
  optOut(): void;
  optIn(): void;
  /** Sends everything queued; resolves when done or when the collector cannot be reached now. */
  flush(): Promise<void>;
  /** Logout: new anonymous id, user id cleared, session renewed. */
  reset(): void;
  /** Resolves once start-up (ids loaded from storage) is complete. */
  ready(): Promise<void>;
  /** Stops timers and listeners. */
  shutdown(): void;
  /** Counters for tests and debugging. */
  stats(): { queued: number; dropped: number; sent: number };
}
