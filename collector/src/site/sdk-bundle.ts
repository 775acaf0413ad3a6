import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** The script-tag bundle as served: bytes plus a strong validator derived from them. */
export interface SdkBundle {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

export interface SdkBundleSource {
  /** Where the bundle is expected, for error messages. */
  path: string | undefined;
  /** Resolves with the current bundle, or null when it has not been built. */
  load(): Promise<SdkBundle | null>;
}

/**
 * Finds the IIFE bundle through `@tally/browser`'s own export map, so the collector serves exactly
 * what the package publishes rather than reaching into its folders. Undefined when the package is
 * not installed at all.
 */
export function resolveSdkBundlePath(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('@tally/browser/tally.global.js');
  } catch {
    return undefined;
  }
}

/**
 * Reads the bundle lazily and re-reads it when its size or mtime changes, so `pnpm build` while the
 * collector runs is picked up without a restart, yet steady-state requests cost one `stat`.
 */
export function sdkBundleSource(path: string | undefined = resolveSdkBundlePath()): SdkBundleSource {
  let cached: { key: string; bundle: SdkBundle } | undefined;
  return {
    path,
    async load() {
      if (!path) return null;
      let key: string;
      try {
        const s = await stat(path);
        if (!s.isFile()) return null;
        key = `${s.size}:${s.mtimeMs}`;
      } catch {
        return null;
      }
      if (cached?.key === key) return cached.bundle;
      let body: Uint8Array<ArrayBuffer>;
      try {
        body = new Uint8Array(await readFile(path));
      } catch {
        return null;
      }
      // A strong ETag: byte-identical bundles get the same tag on every collector, across restarts.
      const digest = createHash('sha256').update(body).digest('base64url').slice(0, 27);
      const bundle = { body, etag: `"${digest}"` };
      cached = { key, bundle };
      return bundle;
    },
  };
}

/**
 * `If-None-Match` per RFC 9110 §13.1.2: `*` or a list of entity tags, compared weakly
 * (a `W/` prefix on the client's copy still matches our strong tag).
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}
