// Builds the dashboard into dist/: hashed JS and CSS, each also as .gz and .br, the page with the
// hashed names written in, and manifest.json for the collector. Runs at install (root postinstall).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

const result = await build({
  entryPoints: { app: join(root, 'src/main.ts'), style: join(root, 'src/style.css') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  write: false,
  outdir: dist,
  legalComments: 'none',
  logLevel: 'warning',
});

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
const names = {};
const assets = [];
for (const file of result.outputFiles) {
  const ext = file.path.slice(file.path.lastIndexOf('.') + 1);
  const base = file.path.slice(file.path.lastIndexOf('/') + 1, file.path.lastIndexOf('.'));
  const hash = createHash('sha256').update(file.contents).digest('hex').slice(0, 10);
  const name = `${base}.${hash}.${ext}`;
  names[`${base}.${ext}`] = name;
  assets.push(name);
  await writeFile(join(dist, name), file.contents);
  await writeFile(join(dist, `${name}.gz`), gzipSync(file.contents, { level: 9 }));
  await writeFile(
    join(dist, `${name}.br`),
    brotliCompressSync(file.contents, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: file.contents.length } }),
  );
}
const html = (await readFile(join(root, 'src/index.html'), 'utf8'))
  .replaceAll('__APP_JS__', `/dashboard/assets/${names['app.js']}`)
  .replaceAll('__STYLE_CSS__', `/dashboard/assets/${names['style.css']}`);
await writeFile(join(dist, 'index.html'), html);
await writeFile(join(dist, 'manifest.json'), JSON.stringify({ index: 'index.html', assets }, null, 2) + '\n');
