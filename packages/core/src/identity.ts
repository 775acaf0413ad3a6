import type { Storage } from './types.js';

/** Anonymous id, user id, session id and its last activity, stored together: one read at start-up. */
export const KEY_IDENTITY = 'tally.id';

interface Stored {
  a?: string;
  u?: string | null;
  s?: string;
  t?: number;
}

export interface Ids {
  anonymous_id: string;
  user_id?: string;
  session_id: string;
}

/**
 * The visitor's ids, kept in memory and mirrored to storage. Nothing is written while `mayStore()`
 * is false (consent pending or denied): an identifier in storage is exactly what consent is about.
 * `save()` writes them once consent arrives, `forget()` erases them when it is withdrawn.
 */
export function createIdentity(
  storage: Storage,
  uuid: () => string,
  timeoutMs: number,
  mayStore: () => boolean,
  log: (e: unknown) => void,
) {
  let id: Stored = {};
  let saved = 0;
  const save = (): void => {
    if (mayStore()) {
      saved = id.t || 0;
      storage.set(KEY_IDENTITY, { ...id }).catch(log);
    }
  };
  return {
    load: (): Promise<void> =>
      storage
        .get(KEY_IDENTITY)
        .then((v) => {
          // An older version stored JSON text here: anything but an object starts afresh.
          // `saved` stays 0: the first event writes the record back once, with its activity time.
          id = Object(v) === v ? (v as Stored) : {};
        })
        .catch(log),
    /** Ids for an event at time `t`: creates the anonymous id on first use, renews an idle session. */
    ids(t: number): Ids {
      let changed = !id.a;
      id.a ||= uuid();
      if (!id.s || t - id.t! > timeoutMs) {
        id.s = uuid();
        changed = true;
      }
      id.t = t;
      // Activity time is written at most every 5 s to keep track() cheap; the session timeout is 30 min.
      if (changed || t - saved > 5000) save();
      return { anonymous_id: id.a, user_id: id.u || undefined, session_id: id.s };
    },
    setUser(user: string | null): void {
      id.u = user;
      save();
    },
    /** Logout: a new anonymous id and session on the next event, no user id. */
    renew(): void {
      id = {};
      save();
    },
    forget(): void {
      id = {};
      storage.set(KEY_IDENTITY, undefined).catch(log);
    },
    save,
  };
}
