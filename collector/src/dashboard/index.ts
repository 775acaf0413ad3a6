export { dashboardCookieAuth, dashboardRoutes, type DashboardOptions } from './routes.js';
export { createShareStore, type ShareStore } from './shares.js';
export { createSessionStore, SESSION_COOKIE, type SessionStore } from './sessions.js';
export { DASHBOARD_CSP } from './security.js';
