/**
 * Token buckets per client key, measured in events: each key may send `perMinute` events per
 * minute on average and a burst of up to `perMinute` at once. A batch larger than what is left is
 * admitted as soon as the bucket holds min(batch, capacity) tokens and leaves the bucket in debt,
 * so a batch bigger than the whole bucket is never refused forever and the long-run rate still holds.
 */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  /**
   * Cheap check before reading a body: refuses a key whose bucket is empty. Its Retry-After
   * assumes the next batch is as large as the key's last one, so the client does not come back
   * after one second only to be refused again.
   */
  check(key: string, now: number): RateDecision;
  /** Takes `events` tokens (at least 1: a request is never free), or refuses without taking any. */
  take(key: string, events: number, now: number): RateDecision;
  /** Number of keys held in memory (bounded). */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Cost of the last batch admitted, capped at capacity. */
  lastNeed: number;
}

const SWEEP_AT = 10_000;
const HARD_CAP = 100_000;

export function createRateLimiter(perMinute: number): RateLimiter {
  const capacity = perMinute;
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();

  const refill = (key: string, now: number): Bucket => {
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size >= SWEEP_AT) sweep(now);
      b = { tokens: capacity, at: now, lastNeed: 1 };
      buckets.set(key, b);
      return b;
    }
    if (now > b.at) {
      b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perMs);
      b.at = now;
    }
    return b;
  };

  const refuse = (b: Bucket, need: number): RateDecision => ({
    ok: false,
    retryAfterSeconds: Math.max(1, Math.ceil((need - b.tokens) / perMs / 1000)),
  });

  // Full buckets carry no information: forget them. If an attacker with many addresses still
  // fills the map, drop the oldest keys; that can only be generous to them, never lose data.
  function sweep(now: number): void {
    for (const [k, b] of buckets) {
      if (b.tokens + (now - b.at) * perMs >= capacity) buckets.delete(k);
    }
    if (buckets.size >= HARD_CAP) {
      let excess = buckets.size - HARD_CAP / 2;
      for (const k of buckets.keys()) {
        if (excess-- <= 0) break;
        buckets.delete(k);
      }
    }
  }

  return {
    check(key, now) {
      const b = refill(key, now);
      return b.tokens >= 1 ? { ok: true } : refuse(b, b.lastNeed);
    },
    take(key, events, now) {
      const b = refill(key, now);
      const cost = Math.max(1, events);
      const need = Math.min(cost, capacity);
      if (b.tokens < need) return refuse(b, need);
      b.tokens -= cost;
      b.lastNeed = need;
      return { ok: true };
    },
    size: () => buckets.size,
  };
}
