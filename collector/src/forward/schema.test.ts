import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/protocol';
import { clickhouseRow } from './schema.js';

/** The JSONEachRow text the ClickHouse sink sends for a stored event (the servers take it in forward.servers.test.ts and sql.chdb.test.ts). */

const full: StoredEvent = {
  event_id: 'e-1',
  event_type: 'action',
  ts: '2026-11-20T10:00:00.000+01:00',
  time: '2026-11-20T09:00:00.987Z',
  received_at: '2026-11-20T09:00:01.456Z',
  app: 'shop',
  clamped: true,
  feature: 'export',
  user_id: 'u "quoted" \\ back\nline',
  anonymous_id: 'a-1',
  session_id: 's-1',
  url: 'https://x.example/?q=1&r=\u2028',
  metadata: { plan: 'pro', n: 2, nested: { ok: true } },
  consent: { analytics: true, marketing: false, personalization: false },
  context: {
    app_version: '2.1',
    platform: 'web',
    os: 'macOS',
    browser: 'Chrome',
    device_type: 'desktop',
    locale: 'en-US',
    timezone: 'Europe/Paris',
    screen: '1728x1117',
    referrer: 'https://ref.example/',
    title: 'Pricing – "Pro" 汉字',
    sdk: { name: '@tally/browser', version: '0.1.0' },
  },
} as StoredEvent;

describe('clickhouseRow', () => {
  it('maps every field of a full event to its column, escaping what JSON must', () => {
    const text = clickhouseRow(full);
    expect(text).not.toContain('\n');
    expect(JSON.parse(text)).toEqual({
      event_id: 'e-1',
      app: 'shop',
      event_type: 'action',
      feature: 'export',
      user_key: 'u "quoted" \\ back\nline',
      user_id: 'u "quoted" \\ back\nline',
      anonymous_id: 'a-1',
      session_id: 's-1',
      time: '2026-11-20 09:00:00',
      time_ms: Date.parse('2026-11-20T09:00:00.987Z'),
      received_at: '2026-11-20 09:00:01',
      ts: '2026-11-20T10:00:00.000+01:00',
      url: 'https://x.example/?q=1&r=\u2028',
      app_version: '2.1',
      platform: 'web',
      os: 'macOS',
      browser: 'Chrome',
      device_type: 'desktop',
      locale: 'en-US',
      timezone: 'Europe/Paris',
      screen: '1728x1117',
      referrer: 'https://ref.example/',
      title: 'Pricing – "Pro" 汉字',
      sdk_name: '@tally/browser',
      sdk_version: '0.1.0',
      metadata: '{"plan":"pro","n":2,"nested":{"ok":true}}',
      consent: '{"analytics":true,"marketing":false,"personalization":false}',
      clamped: 1,
    });
  });

  it('a minimal event: empty strings for what it lacks, the anonymous id as user key, times not in toISOString form still converted', () => {
    const row = JSON.parse(
      clickhouseRow({ event_id: 'e-2', event_type: 'page_view', ts: 't', time: '2026-11-20T09:00:00+00:00', received_at: '2026-11-20T09:00:05.5Z', anonymous_id: 'anon' } as StoredEvent),
    ) as Record<string, unknown>;
    expect(row).toMatchObject({ user_key: 'anon', user_id: '', app: '', feature: '', url: '', os: '', sdk_name: '', metadata: '', consent: '', clamped: 0 });
    expect(row).toMatchObject({ time: '2026-11-20 09:00:00', time_ms: Date.parse('2026-11-20T09:00:00Z'), received_at: '2026-11-20 09:00:05' });
    expect(Object.keys(row)).toHaveLength(28);
  });
});
