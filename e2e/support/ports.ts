export { freePort } from '../../collector/src/testing/ports.js';
