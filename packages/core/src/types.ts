import type { Consent, EventContext, IngestResponse, WireEvent } from './wire.js';

/**
 * The injected platform pieces. Core never touches `window`, `document`, `navigator` or Node
 * modules: an adapter (browser, React Native) hands these in. Keep them small.
 */

/** The queue's counters, stored beside its events and changed in the same atomic step. */
export interface QueueCounters {
  /** Events dropped (overflow, refused) and not yet reported to the collector. */
  dropped: number;
  /** The id of the drop report that carries `dropped`: present exactly while `dropped` > 0. */
  reportId?: string;
}

/** One queued event and the key it is stored under; key order is queue order. */
export interface QueueEntry {
  key: number;
  event: WireEvent;
}

/** The oldest events, the counters and the queue length, read together. */
export interface QueueHead {
  entries: QueueEntry[];
  counters: QueueCounters;
  size: number;
}

/**
 * Computes the new counters inside a queue step: `n` is what that step dropped (`append`) or
 * removed (`remove`). Pure apart from minting a report id: it may run again on another storage if
 * this one fails. Called exactly once per step that succeeds.
 */
export type Recount = (counters: QueueCounters, n: number) => QueueCounters;

/**
 * Persistent storage, injected by the adapter: the event queue, one record per event plus a small
 * counters record, and a few small key–value records (identity, opt-out). Several tabs may share
 * it, so every queue step is atomic against other writers (IndexedDB: one readwrite transaction)
 * and costs in proportion to the events it touches, never to the queue's length. Values are
 * JSON-compatible and stored as copies. Any method may reject (quota, private mode, a broken
 * connection): core then moves to the next tier of its chain, memory last (see `fallbackStorage`),
 * and a step that rejected must have changed nothing. The contract is described in
 * packages/core/CONTRACT.md and checked by `storageContract` from `@tally/core/testing`.
 */
export interface Storage {
  /**
   * True when each method has done its work by the time it returns (only the promise settles
   * later): a synchronous store such as MMKV or a Map. Core then writes each event before
   * `track()` returns instead of once per task. `kvStorage` sets it from its backend's `sync`.
   */
  sync?: boolean;
  /** The small record under `key`; `undefined` (or `null`) when there is none. */
  get(key: string): Promise<unknown>;
  /** Replaces the small record under `key`; `undefined` deletes it. */
  set(key: string, value: unknown): Promise<void>;
  /**
   * Adds `events` at the tail, in order. If the queue would then hold more than `max`, the oldest
   * (possibly some of `events` themselves) are not kept, and `recount(counters, lost)` gives the
   * new counters. One atomic step; resolves with the queue length after it.
   */
  append(events: WireEvent[], max: number, recount: Recount): Promise<number>;
  /** The oldest `n` entries, oldest first, with the counters and queue length at that moment. */
  head(n: number): Promise<QueueHead>;
  /**
   * Removes each entry whose `key` still holds an event with the same `event_id` (others are gone
   * already, acknowledged by another tab or dropped as overflow), and sets the counters to
   * `recount(counters, removed)`. One atomic step; resolves with the queue length after it.
   */
  remove(entries: QueueEntry[], recount: Recount): Promise<number>;
  /** Deletes every event and the counters (consent withdrawn). Small records are not touched. */
  wipe(): Promise<void>;
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
  /**
   * Context attached to every event (platform, screen, locale...). Called per event. Core stores it
   * as given: pass `referrer` already redacted (`redactUrl` from `@tally/core/adapter`, or stripped).
   */
  context?: () => EventContext;
  /**
   * Current URL for `page()` and for events. Core stores it as given (only the browser has URLs, so
   * redaction lives there): pass it already redacted with `redactUrl` from `@tally/core/adapter`.
   */
  url?: () => string | undefined;
  /** Queue bound; the oldest events are dropped (and counted) beyond it. Default 10,000. */
  maxQueue?: number;
  /** Flush at once when this many events wait. Default 20. */
  flushAt?: number;
  /**
   * Write accepted events to storage at most this long after `track()` (one write for all of them,
   * or at once when `maxBatchEvents` wait, a flush starts or the page is hidden). Until then an
   * event is in memory only: the unload path sends it, a crash loses it. Default 0: the events of
   * one task are written in the next microtask. The browser uses 1000. Ignored by a `sync` storage.
   */
  persistMs?: number;
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
  /**
   * UUID source for event, anonymous, session and drop-report ids. Required: it depends on the
   * platform's globals. `defaultUuid` from `@tally/core/adapter` uses `crypto.randomUUID` where
   * present and a `Math.random` v4 id elsewhere (http:// pages, Hermes); both SDKs pass it.
   */
  uuid: () => string;
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
