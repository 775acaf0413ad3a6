import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';

// Placeholder: filled in by the owner of this folder.
export function ingestRoutes(_deps: AppDeps): Hono {
  return new Hono();
}
