import { Dimensions, Platform } from 'react-native';
import { createNativeContext, detectAppVersion } from './context';

afterEach(() => jest.restoreAllMocks());

describe('device context', () => {
  it('platform, OS version, app version from the option, phone, locale, time zone, screen size', () => {
    // The preset's Dimensions mock says 750 × 1334 (pixels as dp: a tablet); a phone is ≈ 390 dp wide.
    jest.spyOn(Dimensions, 'get').mockReturnValue({ width: 390, height: 844, scale: 3, fontScale: 1 });
    const c = createNativeContext('1.2.3 (45)')();
    expect(c).toEqual({
      platform: Platform.OS,
      os: `${Platform.OS == 'ios' ? 'iOS' : 'Android'} ${Platform.Version}`,
      app_version: '1.2.3 (45)',
      device_type: 'phone',
      locale: Intl.DateTimeFormat().resolvedOptions().locale,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: `${Math.round(Dimensions.get('screen').width)}x${Math.round(Dimensions.get('screen').height)}`,
    });
  });

  it('a tablet by its short side (≥ 600 dp), and the screen size read per event (rotation)', () => {
    const get = jest.spyOn(Dimensions, 'get').mockReturnValue({ width: 800, height: 1280, scale: 2, fontScale: 1 });
    const context = createNativeContext('1');
    expect(context()).toMatchObject({ device_type: 'tablet', screen: '800x1280' });
    get.mockReturnValue({ width: 1280, height: 800, scale: 2, fontScale: 1 });
    expect(context().screen).toBe('1280x800');
  });

  it('app version from expo-application, else react-native-device-info, else none: neither is required', () => {
    jest.isolateModules(() => {
      jest.doMock('expo-application', () => ({ nativeApplicationVersion: '4.0.1', nativeBuildVersion: '77' }), { virtual: true });
      expect(require('./context').detectAppVersion()).toBe('4.0.1 (77)');
    });
    jest.isolateModules(() => {
      jest.dontMock('expo-application');
      jest.doMock('react-native-device-info', () => ({ default: { getVersion: () => '2.2.0', getBuildNumber: () => '9' } }), { virtual: true });
      expect(require('./context').detectAppVersion()).toBe('2.2.0 (9)');
    });
    jest.dontMock('react-native-device-info');
    expect(detectAppVersion()).toBeUndefined();
  });
});
