import { appendAudit, subjectDigest } from './audit.js';
import type { PrivacyDeps } from './erase.js';
import { locateSubject, matchesSubject, subjectReader } from './subject.js';

/**
 * A person's events (same matching rule as erasure) as NDJSON lines, oldest log file first, one
 * line per yielded string. Nothing is buffered beyond one event, so exporting a heavy user is
 * memory-flat. The audit line is written when the stream ends — also when the consumer stops early,
 * then with `complete: false`.
 */
export async function* exportSubject(deps: PrivacyDeps, id: string, actor: string): AsyncGenerator<string> {
  let exported = 0;
  let complete = false;
  let failed: string | undefined;
  try {
    const { subject, days } = await locateSubject(deps.log, id);
    const reader = subjectReader(deps.log, subject.anonymousIds);
    for (const day of days) {
      for await (const event of reader.read(day)) {
        if (!matchesSubject(subject, event)) continue;
        exported++;
        yield `${JSON.stringify(event)}\n`;
      }
    }
    complete = true;
  } catch (err) {
    // The name only: a message could quote log content, and the audit log holds no payloads.
    failed = err instanceof Error ? err.name : 'Error';
    throw err;
  } finally {
    await appendAudit(
      deps.config.dataDir,
      {
        action: 'export',
        actor,
        subject: await subjectDigest(deps.config.dataDir, id),
        exported,
        complete,
        ...(failed !== undefined ? { error: failed } : {}),
      },
      deps.clock.now(),
    );
  }
}
