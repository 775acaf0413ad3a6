import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser.js';

export interface ChromiumProcess {
  browser: Browser;
  /** The profile's own context (the persistent one: its IndexedDB lives in `userDataDir`). */
  context: BrowserContext;
  /** SIGKILL to the whole process group, as a crash or an OOM kill would: nothing is flushed. */
  kill(): Promise<void>;
}

/**
 * Chromium as a process of our own on a given profile, driven over CDP. Playwright's persistent
 * contexts only close gracefully; a crash test needs the process, to kill it mid-flight.
 */
export async function startChromiumProcess(userDataDir: string): Promise<ChromiumProcess> {
  const child: ChildProcess = spawn(CHROMIUM_PATH, [...CHROMIUM_ARGS, `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0', 'about:blank'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools endpoint within 20 s:\n${err}`)), 20_000);
    const onData = (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        // From here on Chromium's log is not needed: keep draining the pipe, stop keeping it.
        child.stderr!.off('data', onData).resume();
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code}) before it listened:\n${err}`));
    });
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return {
    browser,
    context: browser.contexts()[0]!,
    async kill() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    },
  };
}
