import { afterEach, beforeEach, expect, vi } from 'vitest';
import { trackVitals } from '../auto/vitals.js';

// The fakes of the `vitals.*.test.ts` files (imported by them only; not part of any build).
// The browser is faked around `trackVitals`: a PerformanceObserver whose entries the test delivers,
// the performance timeline (navigation and visibility-state entries, `now`, `interactionCount`),
// document state, trusted events (happy-dom's are untrusted: `isTrusted` is defined on the
// instance) and animation frames run on demand. A test file calls `useFakeBrowser()` once, then
// sets the page's state through `page`.

type Entry = { name?: string; startTime?: number; duration?: number; value?: number; hadRecentInput?: boolean; interactionId?: number };
type Listener = (list: { getEntries(): Entry[] }, observer: FakeObserver) => void;

/** A PerformanceObserver registry by entry type: `deliver` calls back, `queue` leaves entries for `takeRecords`. */
export class FakeObserver {
  static byType = new Map<string, Set<FakeObserver>>();
  readonly options: PerformanceObserverInit[] = [];
  private pending: Entry[] = [];
  constructor(private readonly listener: Listener) {}
  observe(options: PerformanceObserverInit) {
    this.options.push(options);
    const type = options.type!;
    if (!FakeObserver.byType.has(type)) FakeObserver.byType.set(type, new Set());
    FakeObserver.byType.get(type)!.add(this);
  }
  takeRecords() {
    return this.pending.splice(0);
  }
  disconnect() {
    for (const observers of FakeObserver.byType.values()) observers.delete(this);
    this.pending = [];
  }
  static of(type: string) {
    return [...(FakeObserver.byType.get(type) ?? [])];
  }
  static deliver(type: string, ...entries: Entry[]) {
    const list = entries.map((e) => ({ entryType: type, startTime: 0, ...e }));
    for (const o of FakeObserver.of(type)) o.listener({ getEntries: () => list }, o);
  }
  static queue(type: string, ...entries: Entry[]) {
    for (const o of FakeObserver.of(type)) o.pending.push(...entries.map((e) => ({ entryType: type, startTime: 0, ...e })));
  }
}
export const deliver = FakeObserver.deliver;
export const queue = FakeObserver.queue;

/** Chromium's PerformanceEventTiming: `interactionId` is on the prototype. */
class EventTiming {}
Object.defineProperty(EventTiming.prototype, 'interactionId', { get: () => 0 });

/** The faked page's state, reset before each test: the tests set it, the fakes read it. */
export const page = {} as {
  now: number;
  vis: DocumentVisibilityState;
  ready: DocumentReadyState;
  prerendering: boolean;
  wasDiscarded: boolean;
  nav: { type: string; responseStart: number; activationStart?: number } | undefined;
  visibilityEntries: Entry[];
  interactionCount: number | undefined;
  frames: FrameRequestCallback[];
};

// `trackVitals` never removes its window listeners: every earlier instance is made inactive, so
// the listeners left behind by other tests can report nothing (and their observers are not in the
// new registry, so they receive no entries).
const instances: Array<{ live: boolean; active: boolean }> = [];

/** Installs the fakes before each test of the calling file and removes them after it. */
export function useFakeBrowser() {
  beforeEach(() => {
    FakeObserver.byType = new Map();
    Object.assign(page, {
      now: 60_000,
      vis: 'visible',
      ready: 'loading',
      prerendering: false,
      wasDiscarded: false,
      nav: { type: 'navigate', responseStart: 250 },
      visibilityEntries: [],
      interactionCount: 0,
      frames: [],
    } satisfies typeof page);
    vi.stubGlobal('PerformanceObserver', FakeObserver);
    vi.stubGlobal('PerformanceEventTiming', EventTiming);
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => page.frames.push(cb));
    vi.spyOn(performance, 'now').mockImplementation(() => page.now);
    vi.spyOn(performance, 'getEntriesByType').mockImplementation(
      (type: string) =>
        (type == 'navigation' ? (page.nav ? [{ entryType: 'navigation', name: 'https://site/', startTime: 0, ...page.nav }] : []) : type == 'visibility-state' ? page.visibilityEntries : []) as PerformanceEntryList,
    );
    Object.defineProperty(performance, 'interactionCount', { configurable: true, get: () => page.interactionCount });
    const doc: Record<string, () => unknown> = {
      visibilityState: () => page.vis,
      readyState: () => page.ready,
      prerendering: () => page.prerendering,
      wasDiscarded: () => page.wasDiscarded,
    };
    for (const [key, get] of Object.entries(doc)) Object.defineProperty(document, key, { configurable: true, get });
  });

  afterEach(() => {
    for (const i of instances) i.live = false;
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    delete (performance as { interactionCount?: number }).interactionCount;
    for (const key of ['visibilityState', 'readyState', 'prerendering', 'wasDiscarded']) delete (document as unknown as Record<string, unknown>)[key];
  });
}

export type Track = (eventType: string, feature?: string, metadata?: Record<string, unknown>) => void;
export function setup(track = vi.fn<Track>(), active = true) {
  const instance = { live: true, active };
  instances.push(instance);
  trackVitals({ track }, () => instance.live && instance.active);
  return { track, instance };
}
/** A second instance in the same test: the earlier one goes quiet and the page starts afresh. */
export function fresh() {
  for (const i of instances) i.live = false;
  FakeObserver.byType = new Map();
  page.vis = 'visible';
}

export const vital = (name: string, value: number, rating: string, navigationType = 'navigate') => [
  'web_vital',
  name,
  { value, rating, id: expect.stringMatching(/^t1-\d+-[0-9a-z]+$/), navigationType },
];
export const idOf = (call: unknown[] | undefined) => (call?.[2] as { id: string }).id;
export const named = (track: ReturnType<typeof vi.fn<Track>>, name: string) => track.mock.calls.filter((c) => c[1] == name);

type Init = { bubbles?: boolean; trusted?: boolean; timeStamp?: number; persisted?: boolean };
export function fire(target: EventTarget, type: string, { bubbles = false, trusted = true, ...props }: Init = {}) {
  const e = new Event(type, { bubbles });
  if (trusted) Object.defineProperty(e, 'isTrusted', { value: true });
  for (const [key, value] of Object.entries(props)) if (value !== undefined) Object.defineProperty(e, key, { value });
  target.dispatchEvent(e);
  return e;
}
export const hide = (timeStamp = page.now) => {
  page.vis = 'hidden';
  fire(document, 'visibilitychange', { bubbles: true, timeStamp });
};
export const show = () => {
  page.vis = 'visible';
  fire(document, 'visibilitychange', { bubbles: true });
};
export const click = (trusted = true) => fire(document.body, 'click', { bubbles: true, trusted });
export const keydown = (trusted = true) => fire(document.body, 'keydown', { bubbles: true, trusted });
export const load = () => fire(window, 'load');
export const pageshow = (persisted: boolean, timeStamp = page.now) => fire(window, 'pageshow', { persisted, timeStamp });
export const nextFrame = () => page.frames.splice(0).forEach((cb) => cb(page.now));

export const fcpAt = (startTime: number) => deliver('paint', { name: 'first-paint', startTime: startTime - 1 }, { name: 'first-contentful-paint', startTime });
export const lcpAt = (startTime: number) => deliver('largest-contentful-paint', { startTime });
export const shift = (startTime: number, value: number, hadRecentInput = false) => ({ startTime, value, hadRecentInput });
export const interaction = (interactionId: number, duration: number, name = 'pointerup') => ({ name, interactionId, duration, startTime: 1000 * interactionId });
