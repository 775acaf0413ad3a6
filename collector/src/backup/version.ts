import { readFileSync } from 'node:fs';

/** The collector's package version, recorded in every backup manifest. */
export const COLLECTOR_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
