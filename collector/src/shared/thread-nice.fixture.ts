import { parentPort, workerData } from 'node:worker_threads';
import { idleThisThread, lowerThisThread, niceThisThread, ownTid } from './thread-nice.js';

// Test fixture (thread-nice.test.ts): a worker thread that asks for what workerData says (each
// niceness in turn, SCHED_IDLE, or lowerThisThread's priority), reports what it was answered and its
// own thread id, then stays alive until told to end, so the test reads the kernel's view of this
// very thread.
const got = workerData.lower !== undefined ? [lowerThisThread(workerData.lower)] : workerData.idle === true ? [idleThisThread()] : (workerData.nices as number[]).map((n) => niceThisThread(n));
const tid = ownTid();
parentPort!.postMessage({ got, tid });
parentPort!.once('message', () => process.exit(0));
