import { createInterface } from 'node:readline';
import { lockDir, LogLockedError } from './lock.js';

/**
 * A lock taker for lock.process.test.ts, run as its own process: for each `take <dir>` line on stdin
 * it tries to lock the dir and prints `held` or `locked` (or `error <message>`); `release` lets go.
 */
let unlock: (() => Promise<void>) | undefined;
const rl = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
rl.on('line', (line) => {
  void (async () => {
    if (line.startsWith('take ')) {
      try {
        unlock = await lockDir(line.slice(5));
        process.stdout.write('held\n');
      } catch (err) {
        process.stdout.write(err instanceof LogLockedError ? 'locked\n' : `error ${(err as Error).message}\n`);
      }
    } else if (line === 'release') {
      await unlock?.();
      unlock = undefined;
      process.stdout.write('released\n');
    }
  })();
});
rl.on('close', () => void (unlock?.() ?? Promise.resolve()).then(() => process.exit(0)));
