import { describe, expect, it } from 'vitest';
import { setup } from './testing/fixture.js';

describe('event building', () => {
  // URL and referrer are stored as the host gives them: the browser adapter redacts (init.test.ts).
  it('fills ids, time, url, context, sdk, register() props and metadata', async () => {
    const s = setup({
      url: () => 'https://shop.example/reset?step=2',
      context: () => ({ platform: 'web', referrer: 'https://mail.example/inbox' }),
      sdk: { name: 'tally-browser', version: '1.2.3' },
    });
    s.client.register({ plan: 'pro', ab: 'x' });
    s.client.register({ tier: 1 });
    s.client.unregister('tier');
    s.client.setUserId('user-7');
    await s.clock.advance(500);
    s.client.track('action', 'button_click', { ab: 'y', button_id: 'submit' });
    await s.clock.advance(1000);
    const [e] = s.events();
    expect(e).toEqual({
      event_id: expect.stringMatching(/^00000000-0000-4000-8000-/),
      event_type: 'action',
      feature: 'button_click',
      ts: '2026-11-20T10:00:00.500Z',
      anonymous_id: expect.any(String),
      user_id: 'user-7',
      session_id: expect.any(String),
      url: 'https://shop.example/reset?step=2',
      metadata: { plan: 'pro', ab: 'y', button_id: 'submit' },
      context: { platform: 'web', referrer: 'https://mail.example/inbox', sdk: { name: 'tally-browser', version: '1.2.3' } },
      consent: { analytics: true, marketing: true, personalization: true },
    });
    expect(new Set([e!.event_id, e!.anonymous_id, e!.session_id]).size).toBe(3);
  });

  it('page() sends a page_view; the timestamp is taken at call time, not at start-up', async () => {
    const s = setup();
    s.client.page({ title: 'x' });
    await s.clock.advance(1000);
    expect(s.events()[0]).toMatchObject({ event_type: 'page_view', metadata: { title: 'x' }, ts: '2026-11-20T10:00:00.000Z' });
  });

  it('persists the anonymous id and user id across reloads; reset() replaces them', async () => {
    const s = setup();
    s.client.setUserId('u1');
    s.client.track('action');
    await s.clock.advance(1000);
    s.client.shutdown();
    const again = setup({ storage: s.storage, uuid: () => 'aaaaaaaa-0000-4000-8000-000000000000' });
    again.client.track('action');
    await again.clock.advance(1000);
    const first = s.events()[0]!;
    const second = again.events()[0]!;
    expect(second.anonymous_id).toBe(first.anonymous_id);
    expect(second.user_id).toBe('u1');
    again.client.reset();
    again.client.track('action');
    await again.clock.advance(1000);
    const third = again.events()[1]!;
    expect(third.anonymous_id).not.toBe(first.anonymous_id);
    expect(third.user_id).toBeUndefined();
    expect(third.session_id).not.toBe(second.session_id);
    expect((again.storage.values.get('tally.id') as { u?: string }).u).toBeUndefined();
  });

  it('renews the session after 30 minutes without activity', async () => {
    const s = setup();
    s.client.track('action');
    await s.clock.advance(29 * 60_000);
    s.client.track('action');
    await s.clock.advance(30 * 60_000 + 1);
    s.client.track('action');
    await s.clock.advance(1000);
    const [a, b, c] = s.events().map((e) => e.session_id);
    expect(a).toBe(b);
    expect(c).not.toBe(b);
  });

  it('keeps a session going across a reload within the timeout, and renews it after', async () => {
    const s = setup();
    s.client.track('action');
    await s.clock.advance(1000);
    s.client.shutdown();
    const sid = s.events()[0]!.session_id;

    const soon = setup({ storage: s.storage, uuid: () => crypto.randomUUID() });
    await soon.clock.advance(10 * 60_000);
    soon.client.track('action');
    await soon.clock.advance(1000);
    expect(soon.events()[0]!.session_id).toBe(sid);
    soon.client.shutdown();

    const late = setup({ storage: s.storage, uuid: () => crypto.randomUUID() });
    await late.clock.advance(31 * 60_000 + 10 * 60_000);
    late.client.track('action');
    await late.clock.advance(1000);
    expect(late.events()[0]!.session_id).not.toBe(sid);
  });

  it('beforeSend can rewrite an event or drop it, and a drop is not counted as loss', async () => {
    const s = setup({
      beforeSend: (e) => (e.feature === 'secret' ? null : { ...e, metadata: { ...e.metadata, scrubbed: true } }),
    });
    s.client.track('action', 'secret');
    s.client.track('action', 'fine');
    await s.clock.advance(1000);
    expect(s.events().map((e) => [e.feature, e.metadata])).toEqual([['fine', { scrubbed: true }]]);
    expect(s.client.stats().dropped).toBe(0);
  });

  it('samples deterministically by anonymous id', async () => {
    const kept: boolean[] = [];
    for (let i = 0; i < 200; i++) {
      const s = setup({ sampleRate: 0.3, uuid: () => `id-${i}` });
      s.client.track('action');
      s.client.track('action');
      await s.client.flush();
      const n = s.events().length;
      expect([0, 2]).toContain(n);
      kept.push(n === 2);
    }
    const share = kept.filter(Boolean).length / kept.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.45);
  });
});

declare const crypto: { randomUUID(): string };
