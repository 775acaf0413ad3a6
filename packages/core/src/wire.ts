/*
 * The wire types core reads and writes, written out rather than imported from `@tally/protocol`:
 * protocol's types are inferred from zod schemas, so published `.d.ts` files that import them
 * would make every SDK user install zod (and protocol) for types alone. `wire.test.ts` pins these
 * to protocol's: if the wire format changes, `pnpm typecheck` fails until this file follows.
 */

export interface Consent {
  analytics: boolean;
  marketing: boolean;
  personalization: boolean;
}

export interface EventContext {
  app_version?: string;
  platform?: string;
  os?: string;
  browser?: string;
  device_type?: string;
  locale?: string;
  timezone?: string;
  screen?: string;
  referrer?: string;
  title?: string;
  sdk?: { name: string; version: string };
}

/** One event as the SDK sends it. */
export interface WireEvent {
  event_id?: string;
  event_type: string;
  ts: string;
  feature?: string;
  user_id?: string;
  anonymous_id?: string;
  session_id?: string;
  url?: string;
  metadata?: Record<string, unknown>;
  context?: EventContext;
  consent?: Consent;
}

/** The collector's `200` answer; events listed in `rejected` are dropped and counted. */
export interface IngestResponse {
  ok: true;
  logged: number;
  duplicates: number;
  rejected: Array<{ index: number; reason: string }>;
}

/** A batch as the SDK sends it (`POST /v1/events`). */
export interface WireBatch {
  events: WireEvent[];
  sent_at?: string;
  app?: string;
  dropped?: number;
  /** Identifies the drop report `dropped` is the running total of: the collector counts each report's largest total once. */
  dropped_id?: string;
}
