/**
 * The UUID source every adapter hands core (`ClientOptions.uuid`). `crypto.randomUUID` exists only in
 * secure contexts (an http:// page has none) and not in every React Native engine. The fallback is
 * a v4-shaped id from `Math.random`: ids only need to be unique, not unguessable, and the collector
 * deduplicates by them within one app. An adapter concern, like URL redaction: which one a platform
 * needs depends on its globals, and core's size budget counts only the pipeline (docs/sdk-core.md#size).
 */
export const defaultUuid = (): string =>
  (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.() ||
  'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => ((Math.random() * 16) | 0).toString(16));
