export { BackupRefused, createBackup } from './snapshot.js';
export { restoreBackup } from './restore.js';
export type { RestoreReport } from './restore.js';
export { BACKUP_FORMAT, MANIFEST, readManifest } from './manifest.js';
export type { Manifest, ManifestFile } from './manifest.js';
