// @vitest-environment happy-dom
import { it } from 'vitest';
it('probe', () => {
  console.log('same', (window as any) === globalThis, typeof (globalThis as any).window);
  (window as any).tally = { q: [] };
  console.log('bare', new Function('return typeof tally')());
  const s = document.createElement('script');
  console.log('cs', document.currentScript, typeof (navigator as any).locks, typeof navigator.sendBeacon);
});
