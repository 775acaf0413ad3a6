import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'tsup';
import { REPO_ROOT } from './collector-process.js';

const run = promisify(execFile);
const PACKAGES = ['core', 'browser'] as const;

export interface NpmConsumer {
  /** A project that installed the packed tarballs with npm, offline: what a user's app has. */
  dir: string;
  /** Per package: the paths inside its tarball, and the package.json it was packed with. */
  packed: Record<(typeof PACKAGES)[number], { files: string[]; manifest: Record<string, unknown> }>;
  /** Writes `source` into the project and runs it with Node there (`.mjs` or `.cjs` by `file`). */
  node(file: string, source: string): Promise<string>;
  /** Type-checks `source` as a file of the project with the repo's TypeScript; throws with tsc's output. */
  typecheck(source: string, resolution: 'bundler' | 'nodenext'): Promise<void>;
  /** Bundles `source` for the browser from the installed packages, as an app's bundler would. */
  bundle(source: string): Promise<string>;
  remove(): Promise<void>;
}

/**
 * `pnpm pack` of @tally/core and @tally/browser (the built `dist/`, workspace links replaced by
 * versions, `publishConfig` applied), then `npm install --offline` of the two tarballs into a fresh
 * project: no registry involved, so the test shows what the tarballs alone make possible.
 */
export async function installPackedSdk(): Promise<NpmConsumer> {
  const root = await mkdtemp(join(tmpdir(), 'tally-npm-'));
  const tgz = join(root, 'tgz');
  const dir = join(root, 'app');
  const packed = {} as NpmConsumer['packed'];
  const deps: Record<string, string> = {};
  for (const name of PACKAGES) {
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', tgz], { cwd: join(REPO_ROOT, 'packages', name) });
    const file = stdout.trim().split('\n').filter((l) => l.endsWith('.tgz')).at(-1)!;
    const files = (await run('tar', ['-tzf', file])).stdout.trim().split('\n');
    const manifest = JSON.parse((await run('tar', ['-xOzf', file, 'package/package.json'])).stdout) as Record<string, unknown>;
    packed[name] = { files, manifest };
    deps[`@tally/${name}`] = `file:${file}`;
  }
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir });

  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  return {
    dir,
    packed,
    async node(file, source) {
      await writeFile(join(dir, file), source);
      return (await run(process.execPath, [file], { cwd: dir })).stdout;
    },
    async typecheck(source, resolution) {
      await writeFile(join(dir, 'consumer.ts'), source);
      const compilerOptions = {
        noEmit: true,
        strict: true,
        target: 'es2020',
        lib: ['es2020', 'dom'],
        module: resolution === 'bundler' ? 'esnext' : 'nodenext',
        moduleResolution: resolution,
        // Only what the packages bring: no @types from anywhere else.
        types: [],
      };
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
      try {
        await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir });
      } catch (err) {
        throw new Error(`tsc (${resolution}) failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
      }
    },
    async bundle(source) {
      await writeFile(join(dir, 'main.ts'), source);
      await build({
        entry: { main: join(dir, 'main.ts') },
        format: ['esm'],
        platform: 'browser',
        target: 'es2020',
        outDir: join(dir, 'out'),
        noExternal: [/.*/],
        config: false,
        silent: true,
        dts: false,
      });
      return readFile(join(dir, 'out', 'main.js'), 'utf8');
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
