export { queryRoutes } from './routes.js';
export { startQueryWarmer } from './warm.js';
