// Starts worker-body.ts in a worker thread when the collector runs from its TypeScript source
// (tsx, vitest): Node 20 does not pass the main thread's loader hooks to workers.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.file, import.meta.url);
