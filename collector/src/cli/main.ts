/**
 * `pnpm collector <subcommand> [flags]`. Each subcommand is a module `cli/<name>.ts` exporting
 * `run(args): Promise<number>` (the exit code); adding one is one line in COMMANDS.
 */
type Command = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the collector (configuration from TALLY_* variables)', load: () => import('./serve.js') },
  rollup: { summary: 'recompute rollups', load: () => import('./rollup.js') },
  purge: { summary: 'apply retention', load: () => import('./purge.js') },
  erase: { summary: 'erase a user’s events', load: () => import('./erase.js') },
  export: { summary: 'export events', load: () => import('./export.js') },
  generate: { summary: 'generate synthetic events', load: () => import('./generate.js') },
  backup: { summary: 'copy the data directory while the collector runs', load: () => import('./backup.js') },
  restore: { summary: 'restore a backup into an empty data directory', load: () => import('./restore.js') },
  forward: { summary: 'replay the log to the configured Kafka / ClickHouse sink(s)', load: () => import('./forward.js') },
  'clickhouse-schema': { summary: 'print (or --apply) the ClickHouse table DDL', load: () => import('./clickhouse-schema.js') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: pnpm collector <subcommand> [flags]\n\nsubcommands:\n${lines.join('\n')}\n\nRun \`pnpm collector <subcommand> --help\` for its flags.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stderr.write(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    process.stderr.write(`${JSON.stringify({ ok: false, error: `unknown subcommand: ${name} (see pnpm collector --help)` })}\n`);
    return 2;
  }
  return (await cmd.load()).run(args);
}

/** Exit explicitly (timers of a closed server must not keep the process up), after stdio has drained. */
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(exit, (err: unknown) => {
  process.stderr.write(`${JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) })}\n`);
  exit(1);
});
