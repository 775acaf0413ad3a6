import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';

// Placeholder: filled in by the owner of this folder.
export function staticRoutes(_deps: AppDeps): Hono {
  return new Hono();
}
