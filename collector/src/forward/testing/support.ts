import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { loadConfig } from '../../config/config.js';
import { closeDeps, createDeps } from '../../bootstrap.js';
import { createApp } from '../../app.js';
import type { AppDeps } from '../../deps.js';

export const DASH_KEY = 'forward-test-dash-key-0123';

/** A collector in this process (real log store, rollups, forwarders) on a temp data dir. */
export async function collectorInProcess(env: Record<string, string>): Promise<{ app: Hono; deps: AppDeps; dataDir: string; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tally-fwd-'));
  const config = loadConfig({
    TALLY_DATA_DIR: dataDir,
    TALLY_DASH_KEY: DASH_KEY,
    TALLY_RATE_LIMIT: '0',
    TALLY_BOT_FILTER: 'off',
    TALLY_LOG_LEVEL: 'silent',
    TALLY_FORWARD_LINGER_MS: '20',
    ...env,
  });
  const deps = await createDeps(config);
  const app = createApp(deps);
  let closed = false;
  return {
    app,
    deps,
    dataDir,
    async close() {
      if (closed) return;
      closed = true;
      await closeDeps(deps);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function ingest(app: Hono, events: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const res = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.slice(i, i + 100) }),
    });
    const body = (await res.json()) as { logged?: number };
    if (res.status !== 200 || body.logged !== Math.min(100, events.length - i)) throw new Error(`ingest: ${res.status} ${JSON.stringify(body)}`);
  }
}

export async function api<T>(app: Hono, path: string, init: RequestInit = {}): Promise<T> {
  const res = await app.request(path, { ...init, headers: { 'x-dash-key': DASH_KEY, ...(init.headers ?? {}) } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls `check` until it returns true; bounded (the servers are real, the machine is shared). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The value of one Prometheus series in `/metrics`, e.g. `tally_forward_lag_events{sink="kafka"}`. */
export async function metric(app: Hono, series: string): Promise<number | undefined> {
  const text = await (await app.request('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let seq = 0;
/** An event for user `user` (or anonymous when it starts with `anon-`) at `time`. */
export function ev(user: string, type: string, time: Date, feature?: string): Record<string, unknown> {
  seq++;
  return {
    event_id: `e-${process.pid}-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    event_type: type,
    ts: time.toISOString(),
    ...(feature ? { feature } : {}),
    ...(user.startsWith('anon-') ? { anonymous_id: user } : { user_id: user, anonymous_id: `anon-of-${user}` }),
    metadata: { n: seq, quote: "it's \"q\"" },
    context: { browser: 'Chrome', platform: 'web', sdk: { name: 'tally-browser', version: '0.1.0' } },
  };
}

const DAY = 86_400_000;

/** Users over 20 days with page views, clicks and conversions in varying order and gaps. */
export function sqlFixture(now: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let u = 0; u < 40; u++) {
    const user = u % 6 === 0 ? `anon-${u}` : `user-${u}`;
    for (let d = u % 3; d < 20; d += 1 + (u % 4)) {
      const base = now - d * DAY - ((u * 37) % 600) * 1000;
      out.push(ev(user, 'page_view', new Date(base), 'pricing'));
      if (u % 2 === 0) out.push(ev(user, 'action', new Date(base + 60_000 * (1 + (u % 5))), 'signup_button'));
      if (u % 4 === 0) out.push(ev(user, 'conversion', new Date(base + (u % 8 === 0 ? 3600_000 : 2 * DAY)), 'signup'));
    }
  }
  // Future times are clamped by the collector; keep the fixture in the past.
  return out.filter((e) => Date.parse(e.ts as string) < now - 1000);
}
