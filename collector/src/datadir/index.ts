export { checkDataDir, DataDirTooNewError, isEmptyDir, newerParts, PART_VERSIONS, readDataVersions, VERSION_FILE, writeVersions } from './versions.js';
export type { DataVersionFile, Part } from './versions.js';
