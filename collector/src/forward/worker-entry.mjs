// Entry of the forwarder thread. Node 20 does not hand a thread's TypeScript loader (tsx) to worker
// threads, so the thread registers it itself before loading the TypeScript source.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
