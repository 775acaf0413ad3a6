import type { EventContext } from '@tally/core';
import { Dimensions, Platform } from 'react-native';
import { optional } from './optional.js';

const cut = (s: unknown, max: number) => (typeof s == 'string' && s.slice(0, max)) || undefined;

/** "1.4.0 (112)" from `expo-application` or `react-native-device-info`, when one is installed. */
export function detectAppVersion(): string | undefined {
  // Literal requires inside try: Metro bundles them as optional dependencies, and skips them when absent.
  const expo = optional(() => require('expo-application')) as
    | { nativeApplicationVersion?: string | null; nativeBuildVersion?: string | null }
    | undefined;
  if (expo?.nativeApplicationVersion)
    return expo.nativeApplicationVersion + (expo.nativeBuildVersion ? ` (${expo.nativeBuildVersion})` : '');
  const info = optional(() => {
    const m = require('react-native-device-info');
    return m.default ?? m;
  }) as { getVersion?: () => string; getBuildNumber?: () => string } | undefined;
  const v = optional(() => info?.getVersion?.());
  if (v) {
    const b = optional(() => info?.getBuildNumber?.());
    return v + (b ? ` (${b})` : '');
  }
  return undefined;
}

/** Tablets are 600 dp or more on their short side (Android's sw600dp rule); iPads say so themselves. */
const deviceType = (): string => {
  const p = Platform as { isPad?: boolean; isTV?: boolean };
  if (p.isTV) return 'tv';
  if (p.isPad) return 'tablet';
  const { width, height } = Dimensions.get('screen');
  return Math.min(width, height) >= 600 ? 'tablet' : 'phone';
};

/**
 * Per-event context. What cannot change while the app runs is read once; the screen size is read
 * per event (rotation, foldables).
 */
export function createNativeContext(appVersion?: string): () => EventContext {
  // Each part on its own: an engine without `Intl` (Hermes built without it) still gets the rest.
  const intl = optional(() => Intl.DateTimeFormat().resolvedOptions());
  const os = Platform.OS == 'ios' ? 'iOS' : Platform.OS == 'android' ? 'Android' : Platform.OS;
  const fixed: EventContext = {
    platform: Platform.OS,
    os: cut(`${os} ${Platform.Version}`, 64),
    app_version: cut(appVersion ?? detectAppVersion(), 64),
    device_type: optional(deviceType),
    locale: cut(intl?.locale, 35),
    timezone: intl?.timeZone,
  };
  return () => {
    const s = optional(() => Dimensions.get('screen'));
    return { ...fixed, screen: s ? `${Math.round(s.width)}x${Math.round(s.height)}` : undefined };
  };
}
