import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../collector/src/testing/index.js';
import { KEY, must, startServer } from './rollup.js';
import { num } from './knobs.js';

/**
 * Memory of a real `serve` process (resident set of its process group: tsx and the node child)
 * after N events sent over HTTP, after its rollup, and after a restart, plus the size of tally.db
 * (with its WAL) — for ordinary traffic and for events whose url, feature, user id and app version
 * are each new (issue 10). Knobs: BENCH_MEMORY_EVENTS (1000000), BENCH_MEMORY_UNIQUE (100000).
 */
const rssMb = (pid: number) => {
  const out = execFileSync('ps', ['-o', 'rss=', '-g', String(pid)], { encoding: 'utf8' });
  return Math.round(out.trim().split(/\s+/).reduce((s, x) => s + Number(x), 0) / 1024);
};

const rand = (n: number) => {
  let s = '';
  while (s.length < n) s += Math.random().toString(36).slice(2);
  return s.slice(0, n);
};

function ordinary(i: number, ts: string) {
  return { event_id: crypto.randomUUID(), event_type: i % 3 ? 'page_view' : 'action', ts, anonymous_id: `anon-${(i * 7919) % 100_000}`, url: `/page/${i % 200}?utm=${i % 7}`, feature: i % 3 ? undefined : `feature_${i % 40}`, context: { app_version: `1.${i % 5}.0` } };
}

function unique(i: number, ts: string) {
  return { event_id: crypto.randomUUID(), event_type: 'action', ts, user_id: `user-${i}-${rand(40)}`, url: `/${rand(2000)}`, feature: `f-${i}-${rand(60)}`, context: { app_version: `v-${i}-${rand(30)}` } };
}

async function dbMb(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) if (f.startsWith('tally.db')) total += (await stat(join(dir, f))).size;
  return Math.round(total / 1e5) / 10;
}

async function scenario(n: number, make: (i: number, ts: string) => object) {
  const dir = await mkdtemp(join(tmpdir(), 'tally-bench-memory-'));
  const env = { TALLY_DATA_DIR: dir, TALLY_DASH_KEY: KEY, TALLY_RATE_LIMIT: '0', TALLY_BOT_FILTER: 'off', TALLY_LOG_LEVEL: 'info', TALLY_ROLLUP_CRON: '0 0 1 1 *' };
  let server = await startServer(env);
  try {
    const idle = rssMb(server.child.pid!);
    let next = 0;
    const client = async () => {
      while (next < n) {
        const from = next;
        next = Math.min(n, next + 100);
        const ts = new Date().toISOString();
        const events = [];
        for (let i = from; i < next; i++) events.push(make(i, ts));
        const res = await fetch(`${server.base}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app: 'web', events }) });
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 4 }, client));
    await new Promise((r) => setTimeout(r, 2000));
    const loaded = rssMb(server.child.pid!);
    await server.stop();
    // The restart loads today's events into the live overlay again (they are not rolled up).
    server = await startServer(env);
    const restarted = rssMb(server.child.pid!);
    const usage = await fetch(`${server.base}/api/analytics/usage?days=1`, { headers: { 'x-dash-key': KEY } });
    const total = ((await usage.json()) as { total_events: number }).total_events;
    await server.stop();
    // `collector rollup` persists them; then a start has nothing live.
    await must(['rollup'], { ...env, TALLY_PORT: String(await freePort()) });
    const dbAfter = await dbMb(dir);
    server = await startServer(env);
    const rolledUp = rssMb(server.child.pid!);
    return { events: n, counted: total, rss_idle_mb: idle, rss_after_events_mb: loaded, rss_after_restart_mb: restarted, rss_after_rollup_and_restart_mb: rolledUp, tally_db_mb: dbAfter };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  return {
    ordinary: await scenario(num('BENCH_MEMORY_EVENTS', 1_000_000), ordinary),
    unique_values: await scenario(num('BENCH_MEMORY_UNIQUE', 100_000), unique),
  };
}
