export { privacyRoutes } from './routes.js';
export { eraseSubject } from './erase.js';
export type { EraseResult, PrivacyDeps } from './erase.js';
export { exportSubject } from './export.js';
export { purgeExpired } from './retention.js';
export type { PurgeReport } from './retention.js';
export { appendAudit, apiKeyActor, cliActor, subjectDigest } from './audit.js';
export { subjectIdProblem } from './subject.js';
