export { ingestRoutes, INGEST_PATH } from './routes.js';
export { DEFAULT_APP, appKey } from './ledger-entry.js';
export { parseUserAgent } from './user-agent.js';
export type { UaContext } from './user-agent.js';
export { rateLimitKey } from './client-address.js';
