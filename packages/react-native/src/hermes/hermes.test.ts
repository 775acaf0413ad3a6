/**
 * @jest-environment node
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchSchema } from '@tally/protocol';

// React Native runs JavaScript on Hermes. The client path is bundled with esbuild (react-native
// replaced by a stand-in), transformed by the Babel preset Metro applies, then run on the Hermes
// VM of `hermes-engine-cli` 0.12 and compiled by `hermesc` from `hermes-compiler` (today's Hermes,
// the one React Native 0.84 ships).
const bin = (pkg: string, rel: string) => join(require.resolve(pkg + '/package.json'), '..', rel);
const HERMES = bin('hermes-engine-cli', 'linux64-bin/hermes');
const HERMESC = bin('hermes-compiler', 'hermesc/linux64-bin/hermesc');

let dir: string;
let bundle: string;

beforeAll(async () => {
  const esbuild = require('esbuild');
  const babel = require('@babel/core');
  dir = mkdtempSync(join(tmpdir(), 'tally-hermes-'));
  const built = await esbuild.build({
    entryPoints: [join(__dirname, 'entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['tally-source', 'import'],
    alias: { 'react-native': join(__dirname, 'react-native-stand-in.ts') },
    // Optional modules the app has not installed: their `require` throws at run time, as in Metro.
    external: ['expo-application', 'react-native-device-info', 'react-native-mmkv', '@react-native-async-storage/async-storage'],
    target: 'es2020',
  });
  const { code } = babel.transformSync(built.outputFiles[0].text, {
    configFile: false,
    babelrc: false,
    sourceType: 'script',
    presets: [[require.resolve('@react-native/babel-preset'), { disableImportExportTransform: true, enableBabelRuntime: false }]],
  });
  bundle = join(dir, 'bundle.js');
  writeFileSync(bundle, code);
});

it('runs on the Hermes VM: events tracked, a 503 kept them, a return to active delivered them, every field valid', () => {
  const run = spawnSync(HERMES, [bundle], { encoding: 'utf8', timeout: 60_000 });
  // Hermes echoes the whole (one-line) bundle with a diagnostic: keep the message short.
  expect({ status: run.status, stderr: run.stderr.slice(0, 300) }).toEqual({ status: 0, stderr: expect.any(String) });
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR '));
  expect(line?.slice(0, 2000)).toMatch(/^RESULT /);
  const r = JSON.parse(line!.slice(7));
  expect(r.queuedAfter503).toBe(3);
  expect(r.left).toBe(0);
  const batches = r.sent.map((s: string) => BatchSchema.parse(JSON.parse(s)));
  // The first send got the 503; the same events went again and were acknowledged.
  expect(batches.map((b: any) => b.events.map((e: any) => e.event_type))).toEqual([
    ['page_view', 'add_to_cart', 'checkout'],
    ['page_view', 'add_to_cart', 'checkout'],
  ]);
  const [first, second] = batches.map((b: any) => b.events);
  expect(second.map((e: any) => e.event_id)).toEqual(first.map((e: any) => e.event_id));
  expect(new Set(first.map((e: any) => e.event_id)).size).toBe(3);
  const [home, cart, checkout] = second;
  expect(home).toMatchObject({ feature: 'Home', metadata: { tab: 'feed' } });
  expect(cart).toMatchObject({ feature: 'cart', metadata: { sku: 'A-1', qty: 2 } });
  expect(checkout.user_id).toBe('user-42');
  expect(home.context).toMatchObject({
    platform: 'android',
    os: 'Android 34',
    app_version: '2.0.0 (7)',
    device_type: 'phone',
    screen: '411x914',
    sdk: { name: '@tally/react-native' },
  });
  expect(batches[1].app).toBe('hermes');
  expect(r.stats).toMatchObject({ queued: 0, dropped: 0, sent: 3 });
});

it('compiles to bytecode with hermesc from hermes-compiler (current Hermes)', () => {
  const hbc = join(dir, 'bundle.hbc');
  execFileSync(HERMESC, ['-emit-binary', '-O', '-out', hbc, bundle], { encoding: 'utf8' });
  // Hermes bytecode files start with the magic 0x1F1903C103BC1FC6 (little-endian).
  expect(readFileSync(hbc).subarray(0, 8).toString('hex')).toBe('c61fbc03c103191f');
  expect(statSync(hbc).size).toBeGreaterThan(10_000);
});
