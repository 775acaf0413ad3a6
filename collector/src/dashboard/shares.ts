import { randomBytes } from 'node:crypto';
import { jsonFile } from './json-file.js';
import { sha } from './sessions.js';

export const SHARE_COOKIE = 'tally_share';
export const SHARE_VIEWS = ['overview', 'realtime', 'funnels', 'retention', 'completeness'] as const;
export type ShareView = (typeof SHARE_VIEWS)[number];

/** The query endpoints each view reads; a share link grants `GET` on these and nothing else. */
export const VIEW_ENDPOINTS: Record<ShareView, readonly string[]> = {
  overview: ['info', 'usage', 'timeseries', 'breakdown', 'breakdowns'],
  realtime: ['info', 'realtime'],
  funnels: ['info', 'funnel', 'breakdown'],
  retention: ['info', 'retention'],
  completeness: ['info', 'completeness'],
};

export interface ShareLink {
  /** Public id for listing and revoking (not the token). */
  id: string;
  view: ShareView;
  /** The view's query string (range, filters, steps...), without `?`. */
  query: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

interface Stored extends ShareLink {
  token_hash: string;
}

export interface ShareStore {
  create(view: ShareView, query: string, expiresAt: number | null, now: number): { token: string; link: ShareLink };
  list(): ShareLink[];
  revoke(id: string, now: number): boolean;
  /** The live link a token names, or undefined. */
  find(token: string | undefined, now: number): ShareLink | undefined;
}

const pub = ({ token_hash: _t, ...link }: Stored): ShareLink => link;

/**
 * Read-only share links in `dashboard-shares.json` under the data dir (atomic rewrites, as for
 * sessions). The 128-bit token is shown once, at creation; the file keeps only its hash.
 */
export function createShareStore(dataDir: string | undefined): ShareStore {
  const file = jsonFile<{ links?: Stored[] }>(dataDir, 'dashboard-shares.json', {});
  const loaded = file.read().links;
  let rows: Stored[] = Array.isArray(loaded) ? loaded : [];
  const save = () => file.write({ links: rows });
  return {
    create(view, query, expiresAt, now) {
      const token = randomBytes(16).toString('base64url');
      const link: Stored = {
        id: randomBytes(6).toString('hex'),
        view,
        query,
        created_at: new Date(now).toISOString(),
        expires_at: expiresAt === null ? null : new Date(expiresAt).toISOString(),
        revoked_at: null,
        token_hash: sha(token),
      };
      rows = [...rows, link];
      save();
      return { token, link: pub(link) };
    },
    list: () => rows.map(pub),
    revoke(id, now) {
      const row = rows.find((r) => r.id === id);
      if (!row) return false;
      if (row.revoked_at === null) {
        rows = rows.map((r) => (r.id === id ? { ...r, revoked_at: new Date(now).toISOString() } : r));
        save();
      }
      return true;
    },
    find(token, now) {
      if (!token) return undefined;
      const h = sha(token);
      const row = rows.find((r) => r.token_hash === h);
      if (!row || row.revoked_at !== null) return undefined;
      if (row.expires_at !== null && Date.parse(row.expires_at) <= now) return undefined;
      return pub(row);
    },
  };
}

/** True when the share link may read this query path (`/api/analytics/<name>`). */
export function shareAllows(link: ShareLink, path: string, method: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const m = /^\/api\/analytics\/([a-z_]+)$/.exec(path);
  return m !== null && VIEW_ENDPOINTS[link.view].includes(m[1]!);
}
