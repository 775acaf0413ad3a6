export { staticRoutes } from './routes.js';
export type { StaticOptions } from './routes.js';
// The demo files' rules, for e2e's static server (the demo served from another origin).
export { DEMO_CONTENT_TYPES, resolveDemoFile, withOrigin } from './demo-files.js';
