// Starts a worker thread's TypeScript file (workerData.file) when the collector runs from its source
// (tsx, vitest): Node 20 does not pass the main thread's loader hooks to workers.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.file, import.meta.url);
