import { parentPort } from 'node:worker_threads';
import { encodeJob, type EncodeJob } from './encode.js';

/** Worker thread body: encodes rollup jobs off the main thread (encode.ts, encoder.ts). */
parentPort!.on('message', (msg: { id: number; jobs: EncodeJob[] }) => {
  try {
    const out = msg.jobs.map(encodeJob);
    const transfer = new Set<ArrayBuffer>();
    for (const e of out) {
      transfer.add(e.rowsBlob.buffer as ArrayBuffer);
      transfer.add(e.usersBlob.buffer as ArrayBuffer);
      for (const s of e.steps) transfer.add(s.data.buffer as ArrayBuffer);
    }
    parentPort!.postMessage({ id: msg.id, out }, [...transfer].filter((b) => b.byteLength > 0));
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
