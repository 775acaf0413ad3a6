// @vitest-environment happy-dom
/// <reference types="node" />
import 'fake-indexeddb/auto';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchSchema, type WireEvent } from '@tally/protocol';
import type { Client } from '@tally/core';

/*
 * The script-tag bundle is built with internal property names shortened (tsup.config.ts,
 * `mangleProps`). A name listed there by mistake — one reached through a string, a wire field, a
 * platform API — breaks only the built file, which the other unit tests never run. This one does.
 */
const bundle = `${__dirname}/../dist/tally.global.js`;
const w = window as unknown as { tally?: Client & { version?: string } };

afterEach(() => {
  w.tally?.shutdown();
  delete w.tally;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe('built script-tag bundle', () => {
  it('stores, sends and acknowledges a valid batch with every wire field intact', async () => {
    expect(existsSync(bundle), `${bundle} is missing: run \`pnpm build\` (root \`pnpm test\` does) first`).toBe(true);
    const bodies: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        bodies.push(init.body as string);
        const n = (JSON.parse(init.body as string) as { events: unknown[] }).events.length;
        return new Response(JSON.stringify({ ok: true, logged: n, duplicates: 0, rejected: [] }), { status: 200 });
      }),
    );
    const script = document.createElement('script');
    script.setAttribute('data-endpoint', 'https://c.example');
    script.setAttribute('data-app', 'bundle-test');
    script.setAttribute('data-auto', 'none');
    document.head.append(script);
    // Global scope, as a classic <script> runs it.
    new Function(readFileSync(bundle, 'utf8'))();
    expect(w.tally?.version).toBe('0.1.0');

    w.tally!.setUserId('u-1');
    w.tally!.track('action', 'button_click', { button_id: 'submit-btn' });
    await w.tally!.flush();

    expect(bodies).toHaveLength(1);
    const batch = BatchSchema.parse(JSON.parse(bodies[0]!));
    expect(batch.app).toBe('bundle-test');
    const [e] = batch.events as WireEvent[];
    expect(e).toMatchObject({ event_type: 'action', feature: 'button_click', user_id: 'u-1', metadata: { button_id: 'submit-btn' } });
    expect(Object.keys(e!).sort()).toEqual(
      ['anonymous_id', 'consent', 'context', 'event_id', 'event_type', 'feature', 'metadata', 'session_id', 'ts', 'url', 'user_id'].sort(),
    );
    expect(e!.context).toMatchObject({ platform: 'web', sdk: { name: 'tally-browser', version: '0.1.0' } });
    expect(e!.consent).toEqual({ analytics: true, marketing: true, personalization: true });
    // Acknowledged: gone from the queue, nothing resent by a second flush.
    await w.tally!.flush();
    expect(bodies).toHaveLength(1);
    expect(w.tally!.stats()).toMatchObject({ queued: 0, sent: 1 });
  });
});
