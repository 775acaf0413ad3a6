/**
 * Delay before retry number `attempt` (0-based): "full jitter", a uniform draw in
 * [0, min(max, base * 2^attempt)], so that many clients coming back after an outage spread out.
 * A server's `Retry-After` is a floor: never retry earlier than asked.
 */
export const backoffDelay = (
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
  floorMs = 0,
): number => Math.max(floorMs, Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt)));
