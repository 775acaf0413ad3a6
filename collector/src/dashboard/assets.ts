import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What `packages/dashboard/build.mjs` writes next to the files. */
export interface Manifest {
  /** The page, with the hashed asset names written in. */
  index: string;
  /** Hashed asset names (`app.3f9c1a2b.js`); each also exists as `.gz` and `.br`. */
  assets: string[];
}

export interface Asset {
  type: string;
  raw: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  br: Uint8Array<ArrayBuffer>;
}

export interface DashboardFiles {
  html: string;
  assets: Map<string, Asset>;
}

const TYPES: Record<string, string> = {
  js: 'application/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** The built front end's folder, through `@tally/dashboard`'s package.json; undefined when missing. */
export function resolveDashboardDist(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@tally/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

const bytes = async (path: string) => new Uint8Array(await readFile(path));

/** Reads the whole build into memory (≈ 100 KB): every request is then a lookup. Null if not built. */
export async function loadDashboardFiles(dist: string | undefined): Promise<DashboardFiles | null> {
  if (dist === undefined) return null;
  try {
    const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8')) as Manifest;
    const assets = new Map<string, Asset>();
    for (const name of manifest.assets) {
      const ext = name.slice(name.lastIndexOf('.') + 1);
      const p = join(dist, name);
      assets.set(name, {
        type: TYPES[ext] ?? 'application/octet-stream',
        raw: await bytes(p),
        gzip: await bytes(`${p}.gz`),
        br: await bytes(`${p}.br`),
      });
    }
    return { html: await readFile(join(dist, manifest.index), 'utf8'), assets };
  } catch {
    return null;
  }
}

/** Picks the smallest encoding the client accepts: brotli, then gzip, then none. */
export function pickEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name, q ? Number(q[1]) : 1);
  }
  const ok = (n: string) => (accepted.get(n) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return undefined;
}
