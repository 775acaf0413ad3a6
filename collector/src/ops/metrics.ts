import { REJECT_REASONS, type RejectReason } from '@tally/protocol';
import { createRegistry, type Counter } from './registry.js';

/**
 * The collector's Prometheus metrics. One instance per process, created at bootstrap and passed
 * in `AppDeps`; the log store reports fsync latency through `observeFsync`.
 */
export interface Metrics {
  readonly eventsAccepted: Counter;
  /** Label `reason`: a protocol reject reason code. */
  readonly eventsRejected: Counter;
  readonly eventsDuplicate: Counter;
  readonly eventsBot: Counter;
  readonly eventsDroppedReported: Counter;
  rejected(reason: RejectReason, n?: number): void;
  /** `route` must be a registered route pattern (bounded set), never a raw path. */
  observeRequest(route: string, seconds: number, status?: number): void;
  observeFsync(seconds: number): void;
  /** Prometheus text exposition; `diskFreeBytes` and `health` are read by the caller at scrape time. */
  render(diskFreeBytes?: number, health?: ScrapeHealth): string;
}

/** State read at scrape time for the alert rules in deploy/prometheus/. */
export interface ScrapeHealth {
  /** What `/healthz` answers: 1 when the event log accepts writes. */
  logWritable: boolean;
  /** When the oldest closed UTC log day still waiting for its rollup closed (unix seconds); 0 if none waits. */
  rollupPendingSince: number;
}

const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FSYNC_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export function createMetrics(): Metrics {
  const r = createRegistry();
  const eventsAccepted = r.counter('tally_events_accepted_total', 'Events durably stored.');
  const eventsRejected = r.counter(
    'tally_events_rejected_total',
    'Events not stored because they were invalid, by reason.',
    REJECT_REASONS.map((reason) => ({ reason })),
  );
  const eventsDuplicate = r.counter('tally_events_duplicate_total', 'Events not stored because their event_id was stored in the last 48 hours.');
  const eventsBot = r.counter('tally_events_bot_total', 'Events accepted from bot user agents and not stored.');
  const eventsDroppedReported = r.counter('tally_events_dropped_reported_total', 'Events clients reported they had to discard before sending.');
  const requestDuration = r.histogram('tally_http_request_duration_seconds', 'HTTP request latency by route pattern.', REQUEST_BUCKETS);
  const responses = r.counter('tally_http_responses_total', 'HTTP responses by route pattern and status code.', []);
  const fsyncDuration = r.histogram('tally_fsync_duration_seconds', 'Latency of one fsync of the event log.', FSYNC_BUCKETS, [{}]);
  const diskFree = r.gauge('tally_disk_free_bytes', 'Bytes available to the collector on the data directory file system.');
  const logWritable = r.gauge('tally_log_writable', '1 when the event log accepts writes (GET /healthz answers 200), else 0.');
  const rollupPending = r.gauge(
    'tally_rollup_pending_since_timestamp_seconds',
    'When the oldest closed UTC log day not yet rolled up closed (unix seconds); 0 when every closed day is rolled up.',
  );

  return {
    eventsAccepted,
    eventsRejected,
    eventsDuplicate,
    eventsBot,
    eventsDroppedReported,
    rejected: (reason, n = 1) => eventsRejected.inc(n, { reason }),
    observeRequest(route, seconds, status) {
      requestDuration.observe(seconds, { route });
      if (status !== undefined) responses.inc(1, { route, code: String(status) });
    },
    observeFsync: (seconds) => fsyncDuration.observe(seconds),
    render(diskFreeBytes, health) {
      if (diskFreeBytes !== undefined) diskFree.set(diskFreeBytes);
      if (health) {
        logWritable.set(health.logWritable ? 1 : 0);
        rollupPending.set(health.rollupPendingSince);
      }
      return r.render();
    },
  };
}
