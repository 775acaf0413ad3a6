import type { Storage } from './types.js';

export const KEY_ANON = 'tally.aid';
export const KEY_USER = 'tally.uid';
export const KEY_SESSION = 'tally.session';

export interface Ids {
  anonymous_id: string;
  user_id?: string;
  session_id: string;
}

/**
 * Anonymous id, user id and session, kept in memory and mirrored to storage. Writes are skipped
 * while `mayStore()` is false (consent pending or denied): an identifier in storage is exactly what
 * consent is about. `save()` writes them once consent arrives.
 */
export function createIdentity(
  storage: Storage,
  uuid: () => string,
  timeoutMs: number,
  mayStore: () => boolean,
  log: (m: string, e?: unknown) => void,
) {
  let anon: string | null = null;
  let user: string | null = null;
  let session = '';
  let last = 0;
  let saved = 0;
  const put = (key: string, value: string | null): void => {
    if (value == null) storage.delete(key).catch(log.bind(0, 'storage'));
    else if (mayStore()) storage.set(key, value).catch(log.bind(0, 'storage'));
  };
  const save = (): void => {
    saved = last;
    put(KEY_ANON, anon);
    put(KEY_USER, user);
    if (session) put(KEY_SESSION, `${session} ${last}`);
  };
  return {
    async load(): Promise<void> {
      const [a, u, s] = await Promise.all(
        [KEY_ANON, KEY_USER, KEY_SESSION].map((k) => storage.get(k).catch(() => null)),
      );
      anon = a ?? null;
      user = u ?? null;
      if (s) {
        const [id, at] = s.split(' ');
        session = id ?? '';
        saved = last = Number(at) || 0;
      }
    },
    /** Ids for an event at time `t`: creates the anonymous id on first use, renews an idle session. */
    ids(t: number): Ids {
      if (!anon) put(KEY_ANON, (anon = uuid()));
      if (!session || t - last > timeoutMs) {
        session = uuid();
        saved = 0;
      }
      last = t;
      // Persisting the activity time at most every 5 s keeps track() cheap; the session timeout is 30 min.
      if (t - saved > 5000) save();
      return { anonymous_id: anon, user_id: user ?? undefined, session_id: session };
    },
    setUser(id: string | null): void {
      put(KEY_USER, (user = id));
    },
    reset(): void {
      put(KEY_ANON, (anon = null));
      put(KEY_USER, (user = null));
      session = '';
    },
    save,
  };
}
