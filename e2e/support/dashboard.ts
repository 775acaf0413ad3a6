import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './collector-process.js';

/** A dash key for tests (≥ 16 characters, as TALLY_DASH_KEY requires). */
export const E2E_DASH_KEY = 'e2e-dash-key-0123456789abcdef';

/** Writes a synthetic log with `pnpm collector generate`, ending today (UTC), before the collector starts. */
export function generateDataset(dataDir: string, opts: { days: number; eventsPerDay: number; users: number }): void {
  const tsxCli = createRequire(resolve(REPO_ROOT, 'package.json')).resolve('tsx/cli');
  execFileSync(
    process.execPath,
    [tsxCli, '--conditions=tally-source', 'collector/src/cli/main.ts', 'generate', '--days', String(opts.days), '--events-per-day', String(opts.eventsPerDay), '--users', String(opts.users), '--data-dir', dataDir, '--seed', '13'],
    { cwd: REPO_ROOT, stdio: 'pipe' },
  );
}

/** Signs in through the page's form, as a person would. */
export async function signIn(page: Page, base: string, key = E2E_DASH_KEY, path = '/dashboard'): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.fill('#dash-key', key);
  await page.click('form.sign-in button[type=submit]');
}

/** The number a `data-metric` element shows, parsed back from its locale text. */
export async function metricText(page: Page, metric: string): Promise<number> {
  const text = await page.locator(`[data-metric="${metric}"]`).innerText();
  return Number(text.replace(/[^\d.]/g, ''));
}

/** GET on the query API with the key, as a user's own script would. */
export async function apiGet<T = any>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}/api/analytics/${path}`, { headers: { 'x-dash-key': E2E_DASH_KEY } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
