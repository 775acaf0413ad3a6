import { randomUUID } from 'node:crypto';
import { readStoredEvents } from '../logstore/index.js';
import { TEST_DASH_KEY } from './index.js';

/** What tests of the real collector process send it and read back (the process itself: testing/collector-process.ts). */

export function realisticEvent(i: number): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    event_id: randomUUID(),
    event_type: i % 5 === 0 ? 'action' : 'page_view',
    ts: now,
    feature: i % 5 === 0 ? 'signup_button' : 'pricing',
    anonymous_id: `anon-${(i * 7919) % 100_000}`,
    session_id: `s-${(i * 31) % 5000}`,
    url: `https://app.example.com/pricing?ref=${i % 17}`,
    metadata: { plan: 'team', seats: i % 40 },
    context: { browser: 'Chrome', os: 'macOS', device_type: 'desktop', locale: 'en-US', screen: '1920x1080', sdk: { name: 'tally-browser', version: '0.1.0' } },
  };
}

export async function postBatch(url: string, events: unknown[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events, sent_at: new Date().toISOString() }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The ids of every stored event, in file order; throws on a torn or corrupt line. */
export async function storedIds(dataDir: string): Promise<string[]> {
  return (await readStoredEvents(dataDir, { tornTail: 'throw' })).map((e) => e.event_id);
}

/** GET a query endpoint of a collector started with the helpers' dash key; throws on a non-200. */
export async function query(url: string, path: string, key = TEST_DASH_KEY): Promise<unknown> {
  const res = await fetch(`${url}${path}`, { headers: { 'x-dash-key': key } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
