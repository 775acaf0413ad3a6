import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './support/browser.js';
import { startCollector } from './support/collector-process.js';
import { E2E_DASH_KEY, generateDataset, signIn } from './support/dashboard.js';
import { freePort } from './support/ports.js';

const out = '/tmp/dash-vis';
const dataDir = await mkdtemp(join(tmpdir(), 'tally-vis-'));
generateDataset(dataDir, { days: 45, eventsPerDay: 600, users: 300 });
const c = await startCollector({ port: await freePort(), dataDir, env: { TALLY_DASH_KEY: E2E_DASH_KEY } });
const longUrl = 'https://shop.example.com/' + 'a-very-long-path-segment-without-spaces-'.repeat(7).slice(0, 275);
const longFeature = 'feature_' + 'x'.repeat(120);
const now = new Date().toISOString();
await fetch(`${c.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app: 'web', events: Array.from({ length: 40 }, (_, i) => ({ event_type: 'page_view', ts: now, user_id: `long-${i}`, url: longUrl, feature: longFeature })) }) });
console.log('url length', longUrl.length);
const browser = await launchChromium();
for (const [name, vp, scheme] of [
  ['desktop-dark', { width: 1360, height: 1000 }, 'dark'],
  ['desktop-light', { width: 1360, height: 1000 }, 'light'],
  ['w390-dark', { width: 390, height: 844 }, 'dark'],
  ['w360-light', { width: 360, height: 740 }, 'light'],
] as const) {
  const ctx = await browser.newContext({ viewport: vp, colorScheme: scheme });
  const page = await ctx.newPage();
  await signIn(page, c.url, E2E_DASH_KEY, '/dashboard?range=today');
  await page.locator('[data-table="url"]').waitFor();
  await page.locator('#main-chart .plot canvas').waitFor();
  await page.waitForTimeout(500);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  console.log(name, 'overflow', overflow);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  for (const v of ['funnels', 'retention', 'realtime', 'completeness']) {
    await page.goto(`${c.url}/dashboard/${v}?range=30d${v === 'funnels' ? '&steps=page_view,action' : ''}`);
    await page.locator('#view .panel').first().waitFor();
    await page.waitForTimeout(1500);
    const o = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    console.log(name, v, 'overflow', o);
    await page.screenshot({ path: `${out}/${name}-${v}.png`, fullPage: true });
  }
  await ctx.close();
}
// keyboard
{
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  const page = await ctx.newPage();
  await signIn(page, c.url, E2E_DASH_KEY, '/dashboard?range=30d');
  await page.locator('[data-table="url"]').waitFor();
  const seq: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    seq.push(await page.evaluate(() => { const a = document.activeElement as HTMLElement; return `${a.tagName}${a.id ? '#' + a.id : ''}.${a.className} "${(a.innerText || (a as HTMLInputElement).value || a.getAttribute('aria-label') || '').slice(0, 30)}"`; }));
    if (i === 6) await page.screenshot({ path: `${out}/kbd-focus.png` });
  }
  console.log(seq.join('\n'));
  await ctx.close();
}
await browser.close();
console.log(c.url, dataDir);
await c.stop();
