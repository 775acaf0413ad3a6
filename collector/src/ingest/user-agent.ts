/**
 * A deliberately small User-Agent reader: browser family, OS family and a coarse device type,
 * enough for the dashboard's breakdowns. No versions (they fingerprint) and no dependency.
 * Order matters: many UAs name several engines (Edge says "Chrome" and "Safari").
 */
export interface UaContext {
  browser?: string;
  os?: string;
  device_type?: 'mobile' | 'tablet' | 'desktop';
}

const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bYaBrowser\//, 'Yandex'],
  [/\bVivaldi\//, 'Vivaldi'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\b(?:iPhone|iPad|iPod)\b.*AppleWebKit\//, 'Safari'],
  [/\bMSIE |\bTrident\//, 'Internet Explorer'],
];

const OSES: Array<[RegExp, string]> = [
  [/\bWindows\b/, 'Windows'],
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

export function parseUserAgent(ua: string | undefined): UaContext {
  if (!ua) return {};
  // Real UAs are a few hundred characters; a longer header is not worth regex time.
  const s = ua.length > 512 ? ua.slice(0, 512) : ua;
  const out: UaContext = {};
  const browser = BROWSERS.find(([re]) => re.test(s))?.[1];
  if (browser) out.browser = browser;
  const os = OSES.find(([re]) => re.test(s))?.[1];
  if (os) out.os = os;
  const device = deviceType(s, os);
  if (device) out.device_type = device;
  return out;
}

function deviceType(s: string, os: string | undefined): UaContext['device_type'] {
  if (/\biPad\b|\bTablet\b/.test(s)) return 'tablet';
  if (os === 'Android') return /\bMobile\b/.test(s) ? 'mobile' : 'tablet';
  if (/\bMobi|\biPhone\b|\biPod\b/.test(s)) return 'mobile';
  if (os === 'Windows' || os === 'macOS' || os === 'Linux' || os === 'ChromeOS') return 'desktop';
  return undefined;
}
