import type { Logger } from '../deps.js';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps lines in memory instead of printing them. */
export interface RecordingLogger extends Logger {
  readonly lines: LogLine[];
}

export function createRecordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push(fields === undefined ? { level, msg } : { level, msg, fields });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
