import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A small JSON document under the data dir, replaced atomically (temp file + rename) so a crash
 * leaves the old or the new version, never half of one. Without a data dir it lives in memory.
 */
export function jsonFile<T>(dataDir: string | undefined, name: string, empty: T): { read(): T; write(value: T): void } {
  const file = dataDir === undefined ? undefined : join(dataDir, name);
  return {
    read() {
      if (!file) return empty;
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as T;
      } catch {
        return empty;
      }
    },
    write(value) {
      if (!file) return;
      try {
        mkdirSync(dataDir!, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        // A read-only data dir keeps working until the next restart.
      }
    },
  };
}
