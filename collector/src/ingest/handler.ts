import type { Readable } from 'node:stream';
import type { Context } from 'hono';
import { isbot } from 'isbot';
import type { IngestResponse, Rejection, StoredEvent } from '@tally/protocol';
import { isStorageFault, type AppDeps, type IngestTally } from '../deps.js';
import { STORAGE_RETRY_AFTER_SECONDS } from '../ops/index.js';
import { readJsonBody } from './body.js';
import { checkBatch } from './batch.js';
import { clientAddress } from './client-address.js';
import { normalizeEvent, type BatchContext } from './normalize.js';
import { mayHaveProtoKey } from './proto-keys.js';
import { createRateLimiter } from './rate-limit.js';
import { parseTrustedProxies } from './trusted-proxies.js';
import { ingestTally } from './ledger-entry.js';
import { parseUserAgent } from './user-agent.js';

/**
 * `POST /v1/events` (and its alias). Order: rate limit, body, envelope, rate limit by event count,
 * bots, events one by one, one durable append, then the answer. Only a 200 means stored, and only
 * a 200 reaches the ledger, so a retried 429/503 is never counted twice.
 *
 * The ledger entry is written inside the append (`beforeAck`), after the events are durable and
 * before anything else sees them: when SQLite refuses it (disk full), the log cuts the batch's
 * lines again and the answer is 503 — a batch is stored and counted, or neither.
 */
export function ingestHandler(deps: AppDeps) {
  const { config, log, ledger, metrics, clock, logger } = deps;
  const health = deps.health;
  const unavailable = (c: Context, where: string, err: unknown, events: number) => {
    health?.fault(where, err);
    logger.error(`${where} refused a write`, { error: (err as Error).message, events });
    c.header('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
    return c.json({ ok: false, error: 'storage unavailable, retry later' }, 503);
  };
  /** Records a tally that comes with no log write (bots, all rejected); a storage fault is thrown. */
  const recordAlone = async (tally: IngestTally | undefined): Promise<number> => {
    if (!tally) return 0;
    const n = await ledger.record(tally);
    health?.ok();
    return n;
  };
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
      const tally = ingestTally({ receivedAt, app, accepted: 0, duplicates: 0, rejected: [], events: batch.events, dropped: 0, bots });
      try {
        await recordAlone(tally);
      } catch (err) {
        if (!isStorageFault(err)) throw err;
        return unavailable(c, 'ledger', err, 0);
      }
      metrics.eventsBot.inc(bots);
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

    const dropped = batch.dropped ?? 0;
    const tallyOf = (logged: number, duplicates: number) =>
      ingestTally({ receivedAt, app, accepted: logged, duplicates, rejected, events: batch.events, dropped, droppedId: batch.dropped_id, bots: 0 });
    let logged = 0;
    let duplicates = 0;
    // Only the ledger knows how much of a drop report's total is new: count what it counted.
    let counted = 0;
    try {
      if (stored.length > 0) {
        const result = await log.append(stored, {
          beforeAck: async (r) => {
            const tally = tallyOf(r.logged.length, r.duplicates);
            if (tally) counted = await ledger.record(tally);
          },
        });
        logged = result.logged.length;
        duplicates = result.duplicates;
        health?.ok();
      } else {
        counted = await recordAlone(tallyOf(0, 0));
      }
    } catch (err) {
      if (!isStorageFault(err)) throw err;
      return unavailable(c, stored.length > 0 ? 'event log' : 'ledger', err, stored.length);
    }

    metrics.eventsAccepted.inc(logged);
    metrics.eventsDuplicate.inc(duplicates);
    // Every rejection this answer lists, a resent one again: what the server refused. The ledger
    // counts each rejected event once (by event_id) instead.
    for (const r of rejected) metrics.rejected(r.reason);
    metrics.eventsDroppedReported.inc(counted);
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
