// Placeholder: its owner replaces this with the real subcommand.
export async function run(_args: string[]): Promise<number> {
  process.stderr.write(`${JSON.stringify({ ok: false, error: 'not implemented yet' })}\n`);
  return 2;
}
