import { describe, expect, it } from 'vitest';
import { parseEvent } from '@tally/protocol';

const base = { event_type: 'page_view', ts: '2026-11-20T10:00:00.000Z' };

describe('parseEvent', () => {
  it('accepts a minimal standard event and a custom event type', () => {
    expect(parseEvent(base)).toMatchObject({ ok: true });
    expect(parseEvent({ ...base, event_type: 'checkout.step:2' })).toMatchObject({ ok: true });
  });

  it.each([
    [null, 'not_an_object'],
    [[base], 'not_an_object'],
    [{ ...base, event_type: 'Bad Type' }, 'invalid_event_type'],
    [{ ...base, event_type: undefined }, 'invalid_event_type'],
    [{ ...base, ts: 'yesterday' }, 'invalid_ts'],
    [{ ...base, event_id: 'x'.repeat(65) }, 'invalid_event_id'],
    [{ ...base, url: 'https://a/' + 'x'.repeat(2048) }, 'url_too_long'],
    [{ ...base, url: 5 }, 'invalid_field'],
    [{ ...base, metadata: [1] }, 'metadata_not_object'],
    [{ ...base, metadata: { a: 'x'.repeat(17 * 1024) } }, 'metadata_too_large'],
    [{ ...base, metadata: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } }, 'metadata_too_deep'],
    [{ ...base, consent: { analytics: 'yes' } }, 'invalid_field'],
  ])('rejects %j as %s', (raw, reason) => {
    expect(parseEvent(raw)).toEqual({ ok: false, reason });
  });

  it('keeps metadata at the depth limit', () => {
    const eight = { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } };
    expect(parseEvent({ ...base, metadata: eight })).toMatchObject({ ok: true });
  });
});
