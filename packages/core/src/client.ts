import type { EventContext, WireEvent } from './wire.js';
import type { Client, ClientOptions, QueuedEvent, TransportResult } from './types.js';
import { backoffDelay } from './backoff.js';
import { fit, serialize } from './batch.js';
import { initialConsent, nextConsent, type ConsentValue } from './consent.js';
import { defaultUuid, realClock, warn } from './defaults.js';
import { createIdentity } from './identity.js';
import { createQueue } from './queue.js';
import { redactUrl } from './redact.js';
import { inSample } from './sample.js';
import { createScheduler } from './scheduler.js';
import { createSerial } from './serial.js';
import { sendUrgent } from './urgent.js';

export const KEY_OPTOUT = 'tally.optout';

/** Builds the SDK pipeline from the injected platform pieces. Never throws into the caller. */
export function createClient(o: ClientOptions): Client {
  const { storage, transport, lifecycle } = o;
  const clock = o.clock ?? realClock;
  const uuid = o.uuid ?? defaultUuid;
  const maxQueue = o.maxQueue ?? 1000;
  const maxEvents = o.maxBatchEvents ?? 100;
  const maxBytes = o.maxBatchBytes ?? 65536;
  const log = (m: string, e?: unknown): void => {
    if (o.debug) (o.log ?? warn)(`tally: ${m}`, e);
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
  const quietly = (p: Promise<unknown>) => void p.catch(oops);

  let consent: ConsentValue = initialConsent(o.consent);
  o.onConsent?.(consent.state);
  let props: Record<string, unknown> = {};
  // Pending consent: built events wait here, in memory only.
  let held: WireEvent[] = [];
  let heldLost = 0;
  // Accepted events not yet handed to storage.
  let inbox: QueuedEvent[] = [];
  // This page's accepted, not yet acknowledged events (bounded, insertion = seq order): the unload
  // path must send them synchronously, and the page is gone before a storage read completes.
  let mirror = new Map<string, QueuedEvent>();
  let early: Array<() => void> | undefined = [];
  let off = false;
  let seq = 0;
  let attempt = 0;
  let sent = 0;
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  const granted = () => consent.state == 'granted';
  const denied = () => consent.state == 'denied';
  const online = () => !lifecycle || lifecycle.isOnline();
  const iso = (t: number) => new Date(t).toISOString();
  /** Delivery worked (or the network came back): no pending retry, backoff from the start. */
  const calm = () => {
    attempt = 0;
    sched.reset();
  };
  const serial = createSerial();
  const queue = createQueue(storage, maxQueue, serial, oops, () => !denied());
  const identity = createIdentity(storage, uuid, o.sessionTimeoutMs ?? 1800000, granted, oops);
  const sched = createScheduler(clock, o.debounceMs ?? 1000, o.maxWaitMs ?? 5000, () => flush());

  /** Runs now, or after start-up when the stored ids and opt-out flag are not loaded yet. */
  const run = (fn: () => void): void => {
    if (off) return;
    if (early) early.push(fn);
    else guard(fn)();
  };

  const persist = (): void => {
    const batch = inbox;
    inbox = [];
    // Denial empties the inbox; a switch to pending keeps what was accepted while granted.
    if (batch.length)
      void queue.put(batch).then((n) => {
        if (n >= (o.flushAt ?? 20)) sched.kick();
      });
  };

  const enqueue = (event: WireEvent): void => {
    // A burst of calls in one task becomes one storage write.
    if (!inbox.length) void Promise.resolve().then(persist);
    const q = { seq: (seq = Math.max(seq + 1, clock.now() * 1000)), event };
    inbox.push(q);
    mirror.set(event.event_id!, q);
    // Past the queue bound storage drops the oldest too; the mirror follows suit.
    if (mirror.size > maxQueue) mirror.delete(mirror.keys().next().value!);
    sched.poke();
  };

  const accept = (
    event_type: string,
    feature: string | undefined,
    meta: Record<string, unknown> | undefined,
    t: number,
    url: string | undefined,
    ctx: EventContext | undefined,
  ): void => {
    if (denied()) return;
    const ids = identity.ids(t);
    if (!inSample(ids.anonymous_id, o.sampleRate ?? 1)) return;
    const metadata = { ...props, ...meta };
    const context = { ...ctx, sdk: o.sdk };
    if (context.referrer) context.referrer = redactUrl(context.referrer);
    let e: WireEvent | null = {
      event_id: uuid(),
      event_type,
      ts: iso(t),
      feature,
      ...ids,
      url: url && redactUrl(url),
      metadata: Object.keys(metadata).length ? metadata : undefined,
      context,
      consent: { ...consent.flags },
    };
    if (o.beforeSend) e = o.beforeSend(e);
    if (!e) return;
    log('event', e);
    if (granted()) enqueue(e);
    else if (held.push(e) > maxQueue) {
      held.shift();
      heldLost++;
    }
  };

  /** `remember` is false only for a denial the site configured, which is not the visitor's choice. */
  const setConsent = (next: ConsentValue, remember = true): void => {
    const was = consent.state;
    consent = next;
    o.onConsent?.(next.state);
    if (next.state == 'denied') {
      held = [];
      inbox = [];
      mirror = new Map();
      heldLost = 0;
      sched.stop();
      identity.forget();
      void queue.clear();
      if (remember) quietly(storage.set(KEY_OPTOUT, '1'));
    } else if (granted() && was != 'granted') {
      if (was == 'denied') quietly(storage.delete(KEY_OPTOUT));
      identity.save();
      for (const e of held) enqueue({ ...e, consent: { ...next.flags } });
      void queue.addDropped(heldLost);
      held = [];
      heldLost = 0;
      sched.poke();
    }
  };

  /** Acknowledged or dropped for good: out of storage and out of the unload mirror. */
  const forget = (events: QueuedEvent[]) => {
    for (const q of events) mirror.delete(q.event.event_id!);
    return queue.remove(events);
  };

  /** One batch, with the status policy; resolves false when draining should stop. */
  const deliver = async (list: QueuedEvent[]): Promise<boolean> => {
    const carried = await queue.carry();
    const env = { sent_at: iso(clock.now()), app: o.app, dropped: Math.max(0, carried[0] + carried[1]) || undefined };
    const events = list.slice(0, fit(list, maxEvents, maxBytes, env) || 1);
    const r = await transport.send(serialize(events, env)).catch((): TransportResult => ({ status: 0 }));
    const s = r.status;
    log('sent', s);
    if (s > 199 && s < 300) {
      const rejected = r.body?.rejected?.length ?? 0;
      const gone = await forget(events);
      await queue.acked(carried, rejected - (gone || 0));
      sent += events.length - rejected;
      calm();
      return gone !== false;
    }
    if (s == 413 && events.length > 1) {
      const half = Math.ceil(events.length / 2);
      return (await deliver(events.slice(0, half))) && deliver(events.slice(half));
    }
    if (s != 413 && (s < 400 || s > 499 || s == 408 || s == 429)) {
      const b = o.backoff ?? {};
      sched.retryIn(backoffDelay(attempt++, b.baseMs ?? 1000, b.maxMs ?? 300000, o.random ?? Math.random, r.retryAfterMs));
      return false;
    }
    // Refused for good (a 4xx, or 413 for a lone event): counting it is all that is left to do.
    const gone = await forget(events);
    if (gone !== false) await queue.addDropped(events.length - gone);
    return gone !== false;
  };

  const drain = async (): Promise<void> => {
    let prev: string | undefined;
    while (granted() && online()) {
      const list = await queue.head(maxEvents);
      const first = list[0]?.event.event_id;
      // No progress (a storage that says it removed but did not) must not become a send loop.
      if (!first || first == prev || !(await deliver(list))) return;
      prev = first;
    }
  };

  const flushOnce = async (): Promise<void> => {
    await readyP;
    // Events tracked just before flush() must be in storage before we read it.
    await serial(async () => {});
    // A broken lock must not stop delivery for good; the collector's dedup covers an unlocked drain.
    if (granted() && online()) await (o.lock ? o.lock('tally-flush', drain).catch(drain) : drain());
  };

  /** At most one flush runs and one waits: a caller always gets a flush that started after its call. */
  const flush = (): Promise<void> =>
    (queued ||= (running ?? Promise.resolve()).then(() => {
      queued = undefined;
      return (running = flushOnce()
        .catch(oops)
        .finally(() => (running = undefined)));
    }));

  const urgent = (): void => {
    if (!granted()) return;
    const at = iso(clock.now());
    // Synchronously: what this page accepted. Then, if the page lives on, what else storage holds.
    const mine = [...mirror.values()];
    const done = new Set(sendUrgent(transport, mine, maxBytes, at, o.app));
    if (done.size == mine.length)
      queue
      .head(maxQueue)
      .then((list) => sendUrgent(transport, list.filter((q) => !done.has(q.event.event_id!)), maxBytes, at, o.app))
      .catch(oops);
  };

  const unsubscribe = lifecycle?.subscribe(
    guard((ev) => {
      if (off) return;
      if (ev == 'online') {
        calm();
        void flush();
      } else if (ev == 'hidden') urgent();
    }),
  );

  const readyP = (async () => {
    await identity.load();
    if (await storage.get(KEY_OPTOUT).catch(() => null)) consent = nextConsent('denied', consent);
  })()
    .catch(oops)
    .then(() => {
      const fns = early!;
      early = undefined;
      // A site that starts with consent denied wants nothing left behind from earlier visits.
      if (denied()) setConsent(consent, false);
      for (const fn of fns) guard(fn)();
      if (granted()) sched.poke();
    });

  const client: Client = {
    track: guard((type: string, feature?: string, metadata?: Record<string, unknown>) => {
      if (off || (!early && denied())) return;
      const t = clock.now();
      const url = o.url?.();
      const ctx = o.context?.();
      run(() => accept(type, feature, metadata, t, url, ctx));
    }),
    page: (metadata) => client.track('page_view', undefined, metadata),
    setUserId: guard((id: string | null) => run(() => identity.setUser(id || null))),
    register: guard((p: Record<string, unknown>) => run(() => (props = { ...props, ...p }))),
    unregister: guard((key: string) => run(() => delete props[key])),
    consent: guard((c: Parameters<Client['consent']>[0]) => run(() => setConsent(nextConsent(c, consent)))),
    optOut: () => client.consent('denied'),
    optIn: () => client.consent('granted'),
    // Builds a promise chain only, which cannot throw; the chain itself catches everything.
    flush: () => (off ? Promise.resolve() : flush()),
    reset: guard(() => run(() => identity.reset())),
    ready: () => readyP,
    shutdown: guard(() => {
      off = true;
      sched.stop();
      unsubscribe?.();
    }),
    stats: () => ({ ...queue.stats(), sent }),
  };
  return client;
}
