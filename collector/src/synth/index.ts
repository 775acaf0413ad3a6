export { generateLog } from './generate.js';
export type { GenerateOptions, GenerateStats } from './generate.js';
