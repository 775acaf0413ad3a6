import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createSerial } from '../shared/index.js';

/**
 * The audit log: one JSON line per erasure, access export or purge in `$TALLY_DATA_DIR/audit.log`,
 * fsynced before the action reports success. It records who, when, what and how much — never an
 * event payload and never the subject id itself: the audit log must survive the erasure it records.
 *
 * The subject is recorded as HMAC-SHA256(audit key, id). A plain SHA-256 of an e-mail address is
 * reversed by a dictionary; the key (`audit.key`, random, created once, mode 0600) prevents that for
 * anyone holding only the log, while the operator can still answer "was this person erased?":
 *   printf %s "$ID" | openssl dgst -sha256 -hmac "$(cat $TALLY_DATA_DIR/audit.key)"
 */

export interface AuditEntry {
  action: 'erase' | 'export' | 'purge';
  actor: string;
  subject?: string;
  [field: string]: unknown;
}

const keys = new Map<string, Promise<string>>();
const serial = createSerial();

async function auditKey(dataDir: string): Promise<string> {
  const path = join(dataDir, 'audit.key');
  let key = keys.get(path);
  if (key === undefined) {
    key = (async () => {
      await mkdir(dataDir, { recursive: true });
      try {
        // 'wx' makes creation race-free between processes: the loser reads the winner's key.
        await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      return (await readFile(path, 'utf8')).trim();
    })();
    keys.set(path, key);
    key.catch(() => keys.delete(path));
  }
  return key;
}

/** `hmac-sha256:<hex>` of the subject id under this data dir's audit key. */
export async function subjectDigest(dataDir: string, id: string): Promise<string> {
  return `hmac-sha256:${createHmac('sha256', await auditKey(dataDir)).update(id, 'utf8').digest('hex')}`;
}

/** Identifies an API caller without storing its secret: `key:` + first 8 hex of SHA-256(key). */
export function apiKeyActor(key: string | undefined): string {
  if (key === undefined || key === '') return 'key:none';
  return `key:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8)}`;
}

export function cliActor(): string {
  let name = process.env.USER ?? 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to $USER.
  }
  return `cli:${name}`;
}

/**
 * Lines whose append failed (disk full, read-only data dir), per data dir: written first by the next
 * append that succeeds, so a failed attempt is on record even when it failed because the disk was
 * full. Until then they exist only in memory and in the process log (see `eraseSubject`).
 */
const pending = new Map<string, string[]>();

/** Audit lines not yet on disk for `dataDir` (written with the next successful append). */
export function pendingAudit(dataDir: string): readonly string[] {
  return pending.get(dataDir) ?? [];
}

/** Appends one line and fsyncs it. Appends are serialized so lines never interleave. */
export function appendAudit(dataDir: string, entry: AuditEntry, now: number = Date.now()): Promise<void> {
  const line = `${JSON.stringify({ ts: new Date(now).toISOString(), ...entry })}\n`;
  return serial(async () => {
    const earlier = pending.get(dataDir);
    const lines = [...(earlier ?? []), line];
    try {
      await mkdir(dataDir, { recursive: true });
      const file = await open(join(dataDir, 'audit.log'), earlier ? 'a+' : 'a', 0o600);
      try {
        let text = lines.join('');
        if (earlier) {
          // The failed append may have left part of a line: start on a fresh one.
          const { size } = await file.stat();
          const last = Buffer.alloc(1);
          if (size > 0 && (await file.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a) text = `\n${text}`;
        }
        await file.write(text);
        await file.sync();
      } finally {
        await file.close();
      }
      pending.delete(dataDir);
    } catch (err) {
      pending.set(dataDir, lines);
      throw err;
    }
  });
}
