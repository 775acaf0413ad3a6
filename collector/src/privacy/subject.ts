import { LIMITS, type StoredEvent } from '@tally/protocol';
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

/** Problem with a subject id as a sentence naming it, or undefined when the id is usable. */
export function subjectIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'user id must not be empty';
  if (id.length > LIMITS.idLength) return `user id must be at most ${LIMITS.idLength} characters (got ${id.length})`;
  return undefined;
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

/** Scans the whole log once for the anonymous ids linked to `id`. */
export async function resolveSubject(log: LogStore, id: string): Promise<Subject> {
  const subject: Subject = { id, anonymousIds: new Set([id]) };
  for (const day of await log.days()) {
    for await (const event of log.readDay(day)) learnLink(subject, event);
  }
  return subject;
}

/** The UTC receipt days whose file holds at least one event of the subject. */
export async function daysWithSubject(log: LogStore, subject: Subject): Promise<string[]> {
  const out: string[] = [];
  for (const day of await log.days()) {
    for await (const event of log.readDay(day)) {
      if (matchesSubject(subject, event)) {
        out.push(day);
        break;
      }
    }
  }
  return out;
}

/** The user keys (as the rollups count users: `user_id`, else `anonymous_id`) that may belong to the subject. */
export function subjectKeys(subject: Subject): string[] {
  return [...new Set([subject.id, ...subject.anonymousIds])];
}
