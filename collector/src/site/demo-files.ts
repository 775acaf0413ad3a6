import { readFile, realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, resolve, sep } from 'node:path';

/** The demo site ships as the `@tally/demo` workspace package; undefined when it is not installed. */
export function resolveDemoDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('@tally/demo/package.json'));
  } catch {
    return undefined;
  }
}

/** Only these are served: no package.json, no dotfiles, nothing executable by the collector. */
export const DEMO_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Placeholder in the demo's HTML for the origin that serves the SDK and receives events. */
export const ORIGIN_PLACEHOLDER = '__TALLY_ORIGIN__';

/** Client-routed section: every path under it is answered with the same page. */
const SPA_PREFIX = '/app';
const SPA_PAGE = 'app.html';

/**
 * Maps a request path to a file inside `root`, or null. Clean URLs (`/pricing` → `pricing.html`),
 * `/` → `index.html`, `/app/*` → `app.html`. The path is decoded once and every candidate is
 * re-checked after symlink resolution, so neither `..`, `%2e%2e`, encoded slashes nor a link can
 * leave `root`.
 */
export async function resolveDemoFile(root: string, rawPath: string): Promise<string | null> {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return null;
  const segments = path.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return null;

  const rel = segments.join('/');
  const candidates =
    rel === ''
      ? ['index.html']
      : extname(rel)
        ? [rel]
        : [`${rel}.html`, `${rel}/index.html`];
  if (path === SPA_PREFIX || path.startsWith(SPA_PREFIX + '/')) candidates.push(SPA_PAGE);

  const realRoot = await realpath(root).catch(() => null);
  if (!realRoot) return null;
  for (const candidate of candidates) {
    if (!DEMO_CONTENT_TYPES[extname(candidate)]) continue;
    const full = resolve(realRoot, candidate);
    if (!full.startsWith(realRoot + sep)) continue;
    const real = await realpath(full).catch(() => null);
    if (!real || !real.startsWith(realRoot + sep)) continue;
    const info = await stat(real).catch(() => null);
    if (info?.isFile()) return real;
  }
  return null;
}

/** Escapes for an HTML attribute value; an origin should never need it, but it comes from `Host`. */
function attr(value: string): string {
  return value.replace(/[&"'<>]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A demo page's HTML with the serving origin written in place of the placeholder. */
export function withOrigin(html: string, origin: string): string {
  return html.replaceAll(ORIGIN_PLACEHOLDER, attr(origin));
}

/** Reads a demo file; HTML gets the serving origin written in place of the placeholder. */
export async function readDemoFile(file: string, origin: string): Promise<{ body: string | Uint8Array<ArrayBuffer>; type: string }> {
  const type = DEMO_CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  if (extname(file) !== '.html') return { body: new Uint8Array(await readFile(file)), type };
  return { body: withOrigin(await readFile(file, 'utf8'), origin), type };
}
