import type { AppDeps } from '../deps.js';
import { appendAudit, subjectDigest } from './audit.js';
import { dayInZone } from './days.js';
import { rollupForgetter } from './rollup-hooks.js';
import { exclusive } from './exclusive.js';
import { daysWithSubject, learnLink, matchesSubject, resolveSubject, subjectKeys } from './subject.js';

export type PrivacyDeps = Pick<AppDeps, 'config' | 'log' | 'analytics' | 'clock'>;

export interface EraseResult {
  ok: true;
  /** Raw events removed from the log. */
  removed: number;
  /** UTC receipt days whose log file was rewritten. */
  days: string[];
  /** Days (in TALLY_TZ) whose rollups were recomputed. */
  rollup_days: string[];
}

/** Link discovery can race with ingestion; a new link found while rewriting triggers another round. */
const MAX_ROUNDS = 5;

/**
 * Forgets a person: removes their events from every log file (each rewritten atomically by the log
 * store, serialized with appends so ingestion keeps going), recomputes the rollups of the event days
 * that counted them, has the rollup store drop its per-user rows, and writes the audit line.
 *
 * The rewrite predicate keeps learning links: an event carrying the user id with a new anonymous id
 * (e.g. appended between the scan and the rewrite) adds that id, and the whole pass is repeated so
 * that id's earlier events are found too.
 */
export async function eraseSubject(deps: PrivacyDeps, id: string, actor: string): Promise<EraseResult> {
  const forgetUsers = rollupForgetter(deps.analytics);
  return exclusive(async () => {
    const subject = await resolveSubject(deps.log, id);
    const rewritten = new Set<string>();
    const eventDays = new Set<string>();
    let removed = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let learned = false;
      for (const day of await daysWithSubject(deps.log, subject)) {
        removed += await deps.log.rewriteDay(day, (event) => {
          if (learnLink(subject, event)) learned = true;
          if (!matchesSubject(subject, event)) return true;
          eventDays.add(dayInZone(Date.parse(event.time), deps.config.timeZone));
          return false;
        });
        rewritten.add(day);
      }
      if (!learned) break;
    }
    const rollupDays = [...eventDays].sort();
    if (rollupDays.length > 0) await deps.analytics.rebuildDays(rollupDays);
    await forgetUsers(subjectKeys(subject));
    const result: EraseResult = { ok: true, removed, days: [...rewritten].sort(), rollup_days: rollupDays };
    await appendAudit(
      deps.config.dataDir,
      {
        action: 'erase',
        actor,
        subject: await subjectDigest(deps.config.dataDir, id),
        linked_ids: subject.anonymousIds.size - (subject.anonymousIds.has(id) ? 1 : 0),
        removed,
        days: result.days.length,
        rollup_days: rollupDays.length,
      },
      deps.clock.now(),
    );
    return result;
  });
}
