import type { StoredEvent } from '@tally/protocol';
import type { AppDeps } from '../deps.js';
import { appendAudit, subjectDigest } from './audit.js';
import { dayInZone } from '../shared/index.js';
import { exclusive } from './exclusive.js';
import { learnLink, locateSubject, matchesSubject, subjectKeys } from './subject.js';

export type PrivacyDeps = Pick<AppDeps, 'config' | 'log' | 'rollups' | 'clock' | 'forward'> & Partial<Pick<AppDeps, 'logger'>>;

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
  const forgetUsers = async (keys: string[]) => {
    await deps.rollups.forgetUsers(keys);
  };
  return exclusive(async () => {
    const progress = { removed: 0, days: new Set<string>() };
    try {
      // Forwarders pause while the log is rewritten; their checkpoints follow the rewrite (forward/hub.ts).
      const result = await (deps.forward ? deps.forward.paused(() => removeEverywhere(deps, id, progress, forgetUsers)) : removeEverywhere(deps, id, progress, forgetUsers));
      await audit(deps, actor, id, { linked_ids: result.linked, removed: result.removed, days: result.days.length, rollup_days: result.rollup_days.length });
      return { ok: true, removed: result.removed, days: result.days, rollup_days: result.rollup_days };
    } catch (err) {
      // A failed erasure is audited too (what was removed stays removed). The error's name and code
      // only: a message could quote log content. When the audit log cannot be written either (the
      // disk is full), the entry waits in memory for the next audit append and goes to the process
      // log now, so the attempt is on record somewhere.
      const code = (err as { code?: unknown } | null)?.code;
      const failed = { failed: err instanceof Error ? err.name : 'Error', ...(typeof code === 'string' ? { code } : {}), removed: progress.removed, days: progress.days.size };
      await audit(deps, actor, id, failed).catch((auditErr: unknown) => {
        deps.logger?.error('erasure failed and the audit log is not writable; audit entry kept for the next append', {
          audit: { action: 'erase', actor, ...failed },
          error: (auditErr as Error).message,
        });
      });
      throw err;
    }
  });
}

async function audit(deps: PrivacyDeps, actor: string, id: string, counts: Record<string, unknown>): Promise<void> {
  // Without the audit key (it could not be created on a full disk) the attempt is still recorded.
  const subject = await subjectDigest(deps.config.dataDir, id).catch(() => 'unavailable: audit key could not be read');
  await appendAudit(deps.config.dataDir, { action: 'erase', actor, subject, ...counts }, deps.clock.now());
}

async function removeEverywhere(
  deps: PrivacyDeps,
  id: string,
  progress: { removed: number; days: Set<string> },
  forgetUsers: (keys: string[]) => Promise<void>,
): Promise<Omit<EraseResult, 'ok'> & { linked: number }> {
  const eventDays = new Set<string>();
  let { subject, days } = await locateSubject(deps.log, id);
  for (let round = 0; ; round++) {
    let learned = false;
    // The person's ids, grown as links are learned: the rewrite parses only lines that hold one.
    const ids = subjectKeys(subject);
    for (const day of days) {
      const rewrite = (d: string, keep: (e: StoredEvent) => boolean, everyEvent?: boolean) => deps.log.rewriteDay(d, keep, everyEvent ? undefined : ids);
      progress.removed += await (deps.forward ? deps.forward.rewriteDay.bind(null, rewrite) : rewrite)(day, (event) => {
        if (learnLink(subject, event)) {
          learned = true;
          ids.push(event.anonymous_id!);
        }
        if (!matchesSubject(subject, event)) return true;
        eventDays.add(dayInZone(Date.parse(event.time), deps.config.timeZone));
        return false;
      });
      progress.days.add(day);
    }
    if (!learned || round + 1 >= MAX_ROUNDS) break;
    // A link appeared while rewriting (ingestion goes on): look again with everything known now.
    ({ subject, days } = await locateSubject(deps.log, id, subject.anonymousIds));
  }
  const rollupDays = [...eventDays].sort();
  if (rollupDays.length > 0) await deps.rollups.rebuildDays(rollupDays);
  await forgetUsers(subjectKeys(subject));
  // The sinks hold what was forwarded before: ClickHouse deletes it, Kafka gets an erasure record.
  await deps.forward?.queueErasure(subjectKeys(subject), await subjectDigest(deps.config.dataDir, id), new Date(deps.clock.now()));
  return { removed: progress.removed, days: [...progress.days].sort(), rollup_days: rollupDays, linked: subject.anonymousIds.size - 1 };
}
