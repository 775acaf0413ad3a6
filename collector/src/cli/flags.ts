import { isDay } from '../shared/index.js';

/**
 * A deliberately small flag parser for the privacy/retention/generator commands: `--name value`,
 * `--name=value` and boolean `--name`. Unknown flags and missing values are errors with a message
 * that names the flag — the CLI prints it as JSON and exits 2.
 */
import { subjectIdProblem } from '../privacy/index.js';
import { ConfigError } from '../config/index.js';

export type FlagSpec = Record<string, 'string' | 'boolean'>;
export type Flags = Record<string, string | boolean | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** Throws `HelpRequested` (exit 0, text on stdout) for `--help`/`-h`, else parses. */
export function parseFlags(args: string[], spec: FlagSpec, help = ''): Flags {
  if (args.includes('--help') || args.includes('-h')) throw new HelpRequested(help);
  const out: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown flag --${name}`);
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

export function intFlag(flags: Flags, name: string, min: number, max: number, fallback?: number): number {
  const raw = flags[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return n;
}

export function dayFlag(flags: Flags, name: string): string | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !isDay(raw)) {
    throw new UsageError(`--${name} must be a date YYYY-MM-DD`);
  }
  return raw;
}

/** Writes the command's result or error as one JSON line and returns the exit code. */
export function report(result: unknown, code = 0): number {
  (code === 0 ? process.stdout : process.stderr).write(`${JSON.stringify(result)}\n`);
  return code;
}

export function failure(err: unknown): number {
  if (err instanceof HelpRequested) {
    process.stdout.write(err.text.endsWith('\n') ? err.text : `${err.text}\n`);
    return 0;
  }
  // A bad TALLY_* value is bad input too: exit 2, as `serve` does.
  if (err instanceof UsageError || err instanceof ConfigError) return report({ ok: false, error: err.message }, 2);
  return report({ ok: false, error: err instanceof Error ? err.message : String(err) }, 1);
}

/** The `--user ID` flag of `erase` and `export`, checked like the HTTP routes check `:id`. */
export function userFlag(args: string[], help: string): string {
  const id = parseFlags(args, { user: 'string' }, help).user;
  if (typeof id !== 'string') throw new UsageError('--user is required');
  const problem = subjectIdProblem(id);
  if (problem !== undefined) throw new UsageError(problem);
  return id;
}
