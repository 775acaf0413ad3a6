import type { Logger } from '../deps.js';

export type LogLevel = 'info' | 'warn' | 'error' | 'silent';

const RANK = { info: 0, warn: 1, error: 2, silent: 3 } as const;

/**
 * One JSON object per line: `{"time","level","msg",...fields}`. Callers pass identifiers and counts,
 * never event payloads (they may hold personal data). A field that cannot be serialized does not
 * cost the line: it is replaced by a marker.
 */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    write(format(lvl, msg, fields) + '\n');
  };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

function format(level: string, msg: string, fields?: Record<string, unknown>): string {
  // Null prototype: a field named __proto__ stays a plain field.
  const line: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, { time: new Date().toISOString(), level, msg });
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'time' || k === 'level' || k === 'msg') continue;
      line[k] = v instanceof Error ? { name: v.name, message: v.message } : v;
    }
  }
  try {
    // JSON.stringify escapes newlines, so one call is always one line.
    return JSON.stringify(line);
  } catch {
    return JSON.stringify({ time: line.time, level, msg, fields: '[unserializable]' });
  }
}
