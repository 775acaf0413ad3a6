import { createSerial } from '../shared/index.js';

/**
 * One privacy/retention operation at a time per process: two erasures rewriting the same day file
 * concurrently, or a purge deleting a file an erasure is rewriting, would race. Ingestion is not
 * blocked by this — the log store serializes each rewrite with appends on its own.
 */
export const exclusive = createSerial();
