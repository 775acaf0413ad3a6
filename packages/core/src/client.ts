import type { WireEvent } from './wire.js';
import type { Client, ClientOptions, QueueCounters, QueueEntry, TransportResult } from './types.js';
import { initialConsent, nextConsent, type ConsentValue } from './consent.js';
import { realClock } from './defaults.js';
import { backoffDelay } from './backoff.js';
import { fit, serialize } from './batch.js';
import { createIdentity } from './identity.js';
import { createQueue } from './queue.js';
import { inSample } from './sample.js';
import { createScheduler } from './scheduler.js';
import { memoryStorage } from './memory-storage.js';
import { fallbackStorage } from './storage.js';
import { sendUrgent } from './urgent.js';

// Core is compiled without DOM or Node typings on purpose; every JS platform it targets has this.
declare const console: { warn(...args: unknown[]): void };

export const KEY_OPTOUT = 'tally.optout';

const iso = (t: number) => new Date(t).toISOString();

/**
 * Builds the SDK pipeline from the injected platform pieces. Never throws into the caller.
 *
 * One closure, in sections: options; consent holding; the unload mirror; delivery (status policy,
 * 413 splitting, backoff, flushes); writing to the queue; consent changes; start-up gating; the
 * lifecycle (unload path); the public API. The queue, identity, scheduler, batching, storage chain
 * and consent values live in their own files. Splitting these sections into modules was measured
 * (issue 9) and costs 17–59 B gzipped each, which core's size budget cannot afford:
 * docs/sdk-core.md#size.
 */
export function createClient(o: ClientOptions): Client {
  const { transport, lifecycle } = o;
  const clock = o.clock ?? realClock;
  const uuid = o.uuid;
  // 10,000: a burst a page can legitimately produce (10,000 calls in well under a second) fits
  // whole; one record per event keeps a write as cheap at 10,000 as at 0 (docs/sdk-core.md).
  const maxQueue = o.maxQueue ?? 10000;
  const maxEvents = o.maxBatchEvents ?? 100;
  const maxBytes = o.maxBatchBytes ?? 65536;
  const log = (m: string, e?: unknown): void => {
    // Console methods need no `this` on any platform core targets.
    if (o.debug) (o.log || console.warn)('tally: ' + m, e);
  };
  // Swallowed failures (storage, a throwing hook): the error itself says what went wrong.
  const oops = (e: unknown) => log('error', e);
  const guard =
    <A extends unknown[]>(fn: (...a: A) => unknown) =>
    (...a: A): void => {
      try {
        fn(...a);
      } catch (e) {
        oops(e);
      }
    };
  const quietly = (p: Promise<unknown>) => p.catch(oops);
  // A storage that fails (quota, private mode, a lost connection) is swapped for memory: events
  // are still delivered while the page lives; what the failed storage holds goes out on a later start.
  const storage = fallbackStorage([() => o.storage, memoryStorage], log);
  // A synchronous storage (MMKV) gets each event before track() returns; others one write per task.
  // `=== true`, not truthiness: a Proxy storage (the browser's `fallbackStorage` chain) answers
  // every property, `sync` included, with a function.
  const sync = o.storage.sync === true;

  let consent: ConsentValue = initialConsent(o.consent);
  o.onConsent?.(consent.state);
  let props: Record<string, unknown> = {};
  let inbox: WireEvent[] = [];
  let off = false;

  const granted = () => consent.state == 'granted';
  const denied = () => consent.state == 'denied';
  const queue = createQueue(storage, maxQueue, () => !denied(), uuid);
  const identity = createIdentity(storage, uuid, o.sessionTimeoutMs ?? 1800000, granted, oops);
  const sched = createScheduler(clock, o.debounceMs ?? 1000, o.maxWaitMs ?? 5000, () => flush());

  // --- Consent holding. Pending consent: built events wait here, in memory only (storing them is
  // what consent is about), bounded like the queue; `heldLost` counts what the bound pushed out.
  let held: WireEvent[] = [];
  let heldLost = 0;

  // --- The unload mirror: this page's accepted, not yet acknowledged events (bounded, in queue
  // order). The unload path must send them synchronously: the page is gone before a storage read completes.
  const mirror = new Map<string, WireEvent>();
  /** Acknowledged or dropped for good: out of the mirror (storage is the queue's business). */
  const forget = (entries: QueueEntry[]) => {
    for (const x of entries) mirror.delete(x.event.event_id!);
  };

  // --- Delivery.
  let attempt = 0;
  let sent = 0;
  // Flushes run one after another on `tail`; `queued` is the one waiting, which later callers share.
  let tail = Promise.resolve();
  let queued: Promise<void> | undefined;

  /** Delivery worked (or the network came back): no pending retry, backoff from the start. */
  const calm = () => {
    attempt = 0;
    sched.unretry();
  };

  /** One batch, with the status policy (docs/sdk-core.md); resolves false when draining should stop. */
  const deliver = async (list: QueueEntry[], report: QueueCounters): Promise<boolean> => {
    const carried = report.dropped;
    // The queue keeps a report id exactly while there is a count to report.
    const env = { sent_at: iso(clock.now()), app: o.app, dropped: carried || undefined, dropped_id: report.reportId };
    const entries = list.slice(0, fit(list.map((x) => x.event), maxEvents, maxBytes, env) || 1);
    const events = entries.map((x) => x.event);
    const r = await transport.send(serialize(events, env)).catch((): TransportResult => ({ status: 0 }));
    const s = r.status;
    log('sent', s);
    if (s > 199 && s < 300) {
      const rejected = r.body?.rejected?.length ?? 0;
      forget(entries);
      await queue.acked(entries, carried, rejected);
      sent += events.length - rejected;
      calm();
      return true;
    }
    // Too large: halves. The second carries the count as it stands once the first is settled.
    if (s == 413 && entries.length > 1) {
      const half = (entries.length + 1) >> 1;
      return (await deliver(entries.slice(0, half), report)) && deliver(entries.slice(half), (await queue.peek(0)).counters);
    }
    // Network error (0), 408, 429, 5xx, anything unexpected: keep it, back off, retry.
    if (s < 400 || s > 499 || s == 408 || s == 429) {
      const b = o.backoff ?? {};
      sched.retryIn(backoffDelay(attempt++, b.baseMs ?? 1000, b.maxMs ?? 300000, o.random ?? Math.random, r.retryAfterMs));
      return false;
    }
    // Refused for good (a 4xx, or 413 for a lone event): counting it is all that is left to do.
    forget(entries);
    await queue.acked(entries, 0, entries.length);
    return true;
  };

  const drain = async (): Promise<void> => {
    let prev: string | undefined;
    // After shutdown() a flush resolves without sending.
    while (!off && granted() && (!lifecycle || lifecycle.isOnline())) {
      const r = await queue.peek(maxEvents);
      const first = r.entries[0]?.event.event_id;
      // No progress (a storage that says it removed but did not) must not become a send loop.
      if (!first || first == prev || !(await deliver(r.entries, r.counters))) return;
      prev = first;
    }
  };

  const flushOnce = async (): Promise<void> => {
    await started;
    // Events tracked before this flush are built and written first (the queue reads storage after
    // every write already asked for), so they are included.
    settle();
    persist();
    // A broken lock must not stop delivery for good; the collector's dedup covers an unlocked drain.
    await (o.lock ? o.lock('tally-flush', drain).catch(drain) : drain());
  };

  /** At most one flush runs and one waits: a caller always gets a flush that started after its call. */
  const flush = (): Promise<void> =>
    (queued ||= tail = tail.then(() => {
      queued = undefined;
      return flushOnce().catch(oops);
    }));

  // --- Writing to the queue. Accepted events not yet handed to storage wait in `inbox`.
  const persist = (): void => {
    const batch = inbox;
    inbox = [];
    // Denial empties the inbox; a switch to pending keeps what was accepted while granted.
    if (batch.length)
      queue.store(batch).then((n) => {
        if (n >= (o.flushAt ?? 20)) sched.kick();
      }, oops);
  };

  const enqueue = (event: WireEvent): void => {
    // A synchronous storage is written now. Otherwise the events of one task are one write, or with
    // `persistMs` those of that long (one IndexedDB transaction each, the page's largest cost per
    // event), and a batch's worth at once.
    const n = inbox.push(event);
    if (sync || n == maxEvents) persist();
    else if (n < 2) o.persistMs ? clock.setTimeout(persist, o.persistMs) : void Promise.resolve().then(persist);
    mirror.set(event.event_id!, event);
    // Past the queue bound storage drops the oldest too; the mirror follows suit.
    if (mirror.size > maxQueue) mirror.delete(mirror.keys().next().value!);
    sched.poke();
  };

  // --- Consent changes. `remember` is false only for a denial the site configured, which is not the visitor's choice. */
  const setConsent = (next: ConsentValue, remember = true): void => {
    const was = consent.state;
    consent = next;
    o.onConsent?.(next.state);
    if (next.state == 'denied') {
      held = [];
      heldLost = 0;
      inbox = [];
      mirror.clear();
      sched.stop();
      identity.forget();
      quietly(queue.erase());
      if (remember) quietly(storage.set(KEY_OPTOUT, 1));
    } else if (granted() && was != 'granted') {
      if (was == 'denied') quietly(storage.set(KEY_OPTOUT, undefined));
      identity.save();
      for (const e of held) enqueue({ ...e, consent: { ...next.flags } });
      quietly(queue.acked([], 0, heldLost));
      held = [];
      heldLost = 0;
      sched.poke();
    }
  };

  // --- Calls waiting to run, in call order: every call until start-up has read the stored ids and
  // opt-out flag (a remembered opt-out applies before them), then only `track()`'s, which run a
  // microtask later or as soon as another call, a flush or the unload path needs them (`settle`).
  const later: Array<() => void> = [];
  let up = false;
  const settle = () => {
    if (up) for (const fn of later.splice(0)) guard(fn)();
  };
  const started = (async () => {
    await identity.load();
    if (await storage.get(KEY_OPTOUT)) consent = nextConsent('denied', consent);
  })()
    .catch(oops)
    .then(() => {
      up = true;
      // A site that starts with consent denied wants nothing left behind from earlier visits.
      if (denied()) setConsent(consent, false);
      settle();
      if (granted()) sched.poke();
    });
  /** Runs `fn` after every earlier call: now if `now` (and start-up is done), else a microtask later. */
  const run = (fn: () => void, now?: unknown): void => {
    if (!off) later.push(fn) < 2 && !now ? void Promise.resolve().then(settle) : now && settle();
  };

  // --- Lifecycle. Hidden: synchronously what this page accepted; then, if the page lives on and
  // that all went, what else storage holds (other tabs, earlier pages).
  const unsubscribe = lifecycle?.subscribe(
    guard((ev) => {
      if (off) return;
      settle();
      if (ev == 'online') {
        calm();
        void flush();
      } else if (ev == 'hidden' && granted()) {
        persist();
        const send = (events: WireEvent[]) => sendUrgent(transport, events, maxBytes, iso(clock.now()), o.app);
        const mine = new Set(mirror.keys());
        // A beacon's budget (≈ 64 KB in flight) is spent long before a full queue's worth.
        if (send([...mirror.values()])) queue.peek(maxEvents).then((r) => send(r.entries.map((x) => x.event).filter((e) => !mine.has(e.event_id!)))).catch(oops);
      }
    }),
  );

  // --- The public API.
  /** A public method: never throws, and runs after start-up like every call before it (order kept). */
  const api =
    <A extends unknown[]>(fn: (...a: A) => unknown) =>
    guard((...a: A) => run(() => fn(...a), 1));

  const client: Client = {
    track: guard((event_type: string, feature?: string, meta?: Record<string, unknown>) => {
      // Time, URL and context are read at the call; the event is built (ids, id, ISO time) a
      // microtask later, after every earlier call, or at once for a synchronous storage (MMKV: on
      // disk before track() returns).
      const t = clock.now();
      const url = o.url?.();
      const context = o.context?.();
      run(() => {
        if (denied()) return;
        const ids = identity.ids(t);
        if (!inSample(ids.anonymous_id, o.sampleRate ?? 1)) return;
        const metadata = { ...props, ...meta };
        let e: WireEvent | null = {
          event_id: uuid(),
          event_type,
          ts: iso(t),
          feature,
          ...ids,
          url,
          metadata: Object.keys(metadata).length ? metadata : undefined,
          context: { ...context, sdk: o.sdk },
          consent: { ...consent.flags },
        };
        if (o.beforeSend) e = o.beforeSend(e);
        if (!e) return;
        log('event', e);
        if (granted()) enqueue(e);
        else if (held.push(e) > maxQueue) held.shift(), heldLost++;
      }, sync);
    }),
    page: (metadata) => client.track('page_view', undefined, metadata),
    setUserId: api((id: string | null) => identity.setUser(id || null)),
    register: api((p: Record<string, unknown>) => (props = { ...props, ...p })),
    unregister: api((key: string) => delete props[key]),
    consent: api((c: Parameters<Client['consent']>[0]) => setConsent(nextConsent(c, consent))),
    optOut: () => client.consent('denied'),
    optIn: () => client.consent('granted'),
    // Builds a promise chain only, which cannot throw; the chain itself catches everything.
    flush,
    reset: api(() => identity.renew()),
    ready: () => started,
    shutdown: guard(() => {
      off = true;
      sched.stop();
      unsubscribe?.();
    }),
    stats: () => ({ ...queue.counts(), sent }),
  };
  return client;
}
