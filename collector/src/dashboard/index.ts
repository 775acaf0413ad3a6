export { dashboardRoutes, sessionCookieAuth, type DashboardOptions } from './routes.js';
export { createSessionStore, SESSION_COOKIE, type SessionStore } from './sessions.js';
export { DASHBOARD_CSP } from './security.js';
