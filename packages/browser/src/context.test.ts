// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import pkg from '../package.json';
import { createBrowserContext, privacySignal } from './context.js';
import { SDK } from './version.js';

afterEach(() => vi.restoreAllMocks());

describe('browser context', () => {
  it('describes the page: platform web, screen, locale, time zone, title', () => {
    vi.spyOn(screen, 'width', 'get').mockReturnValue(1280);
    vi.spyOn(screen, 'height', 'get').mockReturnValue(720);
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('de-CH');
    document.title = 'Pricing';
    const ctx = createBrowserContext()();
    expect(ctx).toMatchObject({ platform: 'web', screen: '1280x720', locale: 'de-CH', title: 'Pricing' });
    expect(ctx.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('reads the title per event, and keeps the referrer without its query or fragment', () => {
    vi.spyOn(document, 'referrer', 'get').mockReturnValue('https://other.example/search?q=secret&token=x#frag');
    const context = createBrowserContext();
    document.title = 'One';
    expect(context()).toMatchObject({ referrer: 'https://other.example/search', title: 'One' });
    document.title = 'Two';
    expect(context().title).toBe('Two');
  });

  it('leaves out an empty referrer and title, and cuts a long title to the wire limit', () => {
    vi.spyOn(document, 'referrer', 'get').mockReturnValue('');
    document.title = '';
    const context = createBrowserContext();
    expect(context().referrer).toBeUndefined();
    expect(context().title).toBeUndefined();
    document.title = 'x'.repeat(600);
    expect(context().title).toHaveLength(512);
  });

  it('keeps the SDK version equal to package.json', () => {
    expect(SDK.version).toBe(pkg.version);
  });
});

describe('privacy signals', () => {
  it.each([
    [{ doNotTrack: '1' }, true],
    [{ doNotTrack: '0' }, false],
    [{ doNotTrack: null }, false],
    [{ globalPrivacyControl: true }, true],
    [{ globalPrivacyControl: false }, false],
    [{}, false],
  ])('%j → %s', (nav, expected) => {
    vi.stubGlobal('navigator', nav);
    expect(privacySignal()).toBe(expected);
    vi.unstubAllGlobals();
  });
});
