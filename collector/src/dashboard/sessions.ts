import { createHash, randomBytes } from 'node:crypto';
import { jsonFile } from './json-file.js';

/** Seven days, as docs/dashboard.md promises. */
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
export const SESSION_COOKIE = 'tally_session';

interface Stored {
  /** SHA-256 of the token: the file never holds a usable cookie. */
  id: string;
  expires: number;
  /** Tag of the dash key the session was opened with: a new TALLY_DASH_KEY ends every session. */
  key: string;
}

export interface SessionStore {
  /** Opens a session and returns the token for the cookie. */
  open(now: number): string;
  valid(token: string | undefined, now: number): boolean;
  close(token: string | undefined): void;
}

export const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64url');

/**
 * Sessions in `dashboard-sessions.json` under the data dir, rewritten atomically (temp file +
 * rename) on each sign-in or sign-out, so a restart keeps people signed in. A JSON file rather than
 * a SQLite table: a handful of rows, written a few times a day, and no migration to order against
 * other branches. Without a data dir (tests) the store lives in memory only.
 */
export function createSessionStore(dataDir: string | undefined, dashKey: string | undefined): SessionStore {
  const keyTag = dashKey === undefined ? '' : sha(`tally-session-key\0${dashKey}`);
  const store = jsonFile<{ sessions?: Stored[] }>(dataDir, 'dashboard-sessions.json', {});
  const loaded = store.read().sessions;
  let rows: Stored[] = Array.isArray(loaded) ? loaded.filter((r) => r.key === keyTag) : [];
  const save = () => store.write({ sessions: rows });
  const prune = (now: number) => {
    rows = rows.filter((r) => r.expires > now && r.key === keyTag);
  };
  return {
    open(now) {
      const token = randomBytes(32).toString('base64url');
      prune(now);
      rows.push({ id: sha(token), expires: now + SESSION_TTL_MS, key: keyTag });
      save();
      return token;
    },
    valid(token, now) {
      if (!token || dashKey === undefined) return false;
      const id = sha(token);
      return rows.some((r) => r.id === id && r.expires > now && r.key === keyTag);
    },
    close(token) {
      if (!token) return;
      const id = sha(token);
      const before = rows.length;
      rows = rows.filter((r) => r.id !== id);
      if (rows.length !== before) save();
    },
  };
}
