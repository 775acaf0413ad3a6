export { queryRoutes } from './routes.js';
export { startQueryWarmer } from './warm.js';
export { startFunnelThreads } from './funnel-walker.js';
