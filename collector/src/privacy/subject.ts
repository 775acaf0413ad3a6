import { LIMITS, hasLoneSurrogate, type StoredEvent } from '@tally/protocol';
import type { LogStore } from '../deps.js';

/**
 * Who "a person" is in the raw log. An erasure or access request names one id; it matches every event
 * whose `user_id` or `anonymous_id` is that id, plus every event of any `anonymous_id` that was ever
 * seen together with that `user_id` (the pre-login browsing of the same person).
 *
 * Consequence worth knowing: if one browser (one `anonymous_id`) was used by two people who both
 * logged in, erasing one of them also erases the other's events from that browser. We err on the side
 * of forgetting: keeping them would keep the erased person's device identifier.
 */

/**
 * Problem with a subject id as a sentence naming it, or undefined when the id is usable. Ids follow
 * the protocol's one rule (`isValidId`: UTF-16 code units, no lone surrogate), so every id ingestion
 * stores can be named here. Collectors before that rule counted code points: an id they stored may
 * be up to twice as long in UTF-16 units, and is still accepted here so it can be erased.
 */
export function subjectIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'user id must not be empty';
  if (hasLoneSurrogate(id)) return 'user id must not contain a lone surrogate (such ids are refused at ingestion)';
  if (id.length > LIMITS.idLength && codePoints(id) > LIMITS.idLength) {
    return `user id must be at most ${LIMITS.idLength} UTF-16 code units (got ${id.length})`;
  }
  return undefined;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export interface Subject {
  id: string;
  /** Anonymous ids linked to the id, including the id itself (it may be an anonymous id). */
  anonymousIds: Set<string>;
}

export function matchesSubject(subject: Subject, event: StoredEvent): boolean {
  return (
    event.user_id === subject.id ||
    (event.anonymous_id !== undefined && subject.anonymousIds.has(event.anonymous_id))
  );
}

/**
 * Learns a link from one event: an event carrying the user id ties its anonymous id to the person.
 * Returns true when the link is new.
 */
export function learnLink(subject: Subject, event: StoredEvent): boolean {
  if (event.user_id !== subject.id || event.anonymous_id === undefined) return false;
  if (subject.anonymousIds.has(event.anonymous_id)) return false;
  subject.anonymousIds.add(event.anonymous_id);
  return true;
}

/**
 * How to read a day for one person: the log's byte search for the ids (`LogStore.searchDay`); the
 * array of ids grows as links are learned, and the search takes new ones from its next chunk on.
 */
export function subjectReader(log: LogStore, ids: Iterable<string>) {
  const all = [...ids];
  return {
    add(id: string) {
      all.push(id);
    },
    read(day: string): AsyncIterable<StoredEvent> {
      return log.searchDay(day, all);
    },
  };
}

/**
 * Finds the person in the log: their linked anonymous ids and the UTC receipt days whose file holds
 * at least one of their events. One pass over the log, marking days as it goes; then the days up to
 * the one where the last new link was learned are searched again with every link (an anonymous id's
 * events can precede the event that links it — browsing before login). A person whose links all
 * show up early costs little more than one pass.
 */
export async function locateSubject(
  log: LogStore,
  id: string,
  /** Links known already (a later round of an erasure: the events that proved them may be gone). */
  known: Iterable<string> = [],
): Promise<{ subject: Subject; days: string[] }> {
  const subject: Subject = { id, anonymousIds: new Set([id, ...known]) };
  const reader = subjectReader(log, subject.anonymousIds);
  const all = await log.days();
  const hit = new Set<string>();
  let recheckUpTo = 0;
  for (let i = 0; i < all.length; i++) {
    const day = all[i]!;
    for await (const event of reader.read(day)) {
      if (learnLink(subject, event)) {
        reader.add(event.anonymous_id!);
        recheckUpTo = i + 1;
      }
      if (!hit.has(day) && matchesSubject(subject, event)) hit.add(day);
    }
  }
  for (let i = 0; i < recheckUpTo; i++) {
    const day = all[i]!;
    if (hit.has(day)) continue;
    for await (const event of reader.read(day)) {
      if (matchesSubject(subject, event)) {
        hit.add(day);
        break;
      }
    }
  }
  return { subject, days: all.filter((d) => hit.has(d)) };
}

/** The user keys (as the rollups count users: `user_id`, else `anonymous_id`) that may belong to the subject. */
export function subjectKeys(subject: Subject): string[] {
  return [...new Set([subject.id, ...subject.anonymousIds])];
}
