import type { Readable } from 'node:stream';
import type { Context } from 'hono';
import { isbot } from 'isbot';
import type { IngestResponse, Rejection, StoredEvent } from '@tally/protocol';
import { StorageUnavailableError, type AppDeps } from '../deps.js';
import { readJsonBody } from './body.js';
import { checkBatch } from './batch.js';
import { clientAddress } from './client-address.js';
import { normalizeEvent, type BatchContext } from './normalize.js';
import { mayHaveProtoKey } from './proto-keys.js';
import { createRateLimiter } from './rate-limit.js';
import { parseTrustedProxies } from './trusted-proxies.js';
import { ingestTally } from './tally.js';
import { parseUserAgent } from './user-agent.js';

/** Seconds a client should wait before retrying after the disk refused a write. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * `POST /v1/events` (and its alias). Order: rate limit, body, envelope, rate limit by event count,
 * bots, events one by one, one durable append, then the answer. Only a 200 means stored, and only
 * a 200 reaches the ledger, so a retried 429/503 is never counted twice.
 */
export function ingestHandler(deps: AppDeps) {
  const { config, log, ledger, metrics, clock, logger } = deps;
  const limiter = config.rateLimit > 0 ? createRateLimiter(config.rateLimit) : undefined;
  const trusted = parseTrustedProxies(config.trustProxy);

  return async (c: Context) => {
    const receivedAt = clock.now();
    const client = limiter ? clientAddress(c, trusted) : '';
    if (limiter) {
      const d = limiter.check(client, receivedAt);
      if (!d.ok) return tooMany(c, d.retryAfterSeconds);
    }

    const incoming = nodeIncoming(c);
    const body = await readJsonBody(c.req.raw, config.maxBodyBytes, incoming);
    if (!body.ok) {
      // The unread rest of an oversized body leaves the connection unusable: tell the client not to
      // reuse it (HTTP/1 only; HTTP/2 forbids the header and resets just the stream).
      if (body.status === 413 && incoming?.httpVersionMajor !== 2) c.header('Connection', 'close');
      return c.json({ ok: false, error: body.error }, body.status);
    }
    const checkProto = mayHaveProtoKey(body.text);
    const checked = checkBatch(body.value, config.maxBatch, checkProto);
    if (!checked.ok) return c.json({ ok: false, error: checked.error }, checked.status);
    const batch = checked.batch;
    // "" names no app: stored like an absent app, tallied under DEFAULT_APP.
    const app = batch.app === '' ? undefined : batch.app;

    if (limiter) {
      const d = limiter.take(client, batch.events.length, receivedAt);
      if (!d.ok) return tooMany(c, d.retryAfterSeconds);
    }

    const userAgent = c.req.header('user-agent');
    if (config.botFilter && userAgent && isbot(userAgent)) {
      const bots = batch.events.length;
      metrics.eventsBot.inc(bots);
      const tally = ingestTally({ receivedAt, app, accepted: 0, duplicates: 0, rejected: [], events: batch.events, dropped: 0, bots });
      if (tally) ledger.record(tally);
      return c.json<IngestResponse>({ ok: true, logged: 0, duplicates: 0, rejected: [] }, 200);
    }

    const ctx: BatchContext = {
      receivedAt,
      receivedIso: new Date(receivedAt).toISOString(),
      skewMs: batch.sent_at === undefined ? 0 : receivedAt - Date.parse(batch.sent_at),
      app,
      ua: parseUserAgent(userAgent),
      checkProto,
    };
    const stored: StoredEvent[] = [];
    const rejected: Rejection[] = [];
    batch.events.forEach((raw, index) => {
      const n = normalizeEvent(raw, ctx);
      if (n.ok) stored.push(n.event);
      else rejected.push({ index, reason: n.reason });
    });

    let logged = 0;
    let duplicates = 0;
    if (stored.length > 0) {
      try {
        const result = await log.append(stored);
        logged = result.logged.length;
        duplicates = result.duplicates;
      } catch (err) {
        if (!(err instanceof StorageUnavailableError)) throw err;
        logger.error('event log refused a write', { error: err.message, events: stored.length });
        c.header('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
        return c.json({ ok: false, error: 'storage unavailable, retry later' }, 503);
      }
    }

    const dropped = batch.dropped ?? 0;
    metrics.eventsAccepted.inc(logged);
    metrics.eventsDuplicate.inc(duplicates);
    // Every rejection this answer lists, a resent one again: what the server refused. The ledger
    // counts each rejected event once (by event_id) instead.
    for (const r of rejected) metrics.rejected(r.reason);
    const tally = ingestTally({
      receivedAt, app, accepted: logged, duplicates, rejected, events: batch.events, dropped, droppedId: batch.dropped_id, bots: 0,
    });
    if (tally) {
      // Only the ledger knows how much of a drop report's total is new: count what it counted.
      const counted = ledger.record(tally);
      metrics.eventsDroppedReported.inc(counted);
    }
    return c.json<IngestResponse>({ ok: true, logged, duplicates, rejected }, 200);
  };
}

/** @hono/node-server's IncomingMessage, when running under it (not under `app.request()`). */
function nodeIncoming(c: Context): (Readable & { httpVersionMajor?: number }) | undefined {
  const incoming = (c.env as { incoming?: Readable & { httpVersionMajor?: number } } | undefined)?.incoming;
  return incoming && typeof incoming.on === 'function' ? incoming : undefined;
}

function tooMany(c: Context, retryAfterSeconds: number) {
  c.header('Retry-After', String(retryAfterSeconds));
  return c.json({ ok: false, error: 'rate limit exceeded, retry later' }, 429);
}
