import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { makeTestDeps } from '../testing/index.js';
import { staticRoutes } from './routes.js';
import { resolveSdkBundlePath, sdkBundleSource } from './sdk-bundle.js';
import { resolveDemoDir } from './demo-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tally-static-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function appWithBundle(path: string) {
  const deps = makeTestDeps();
  return { deps, app: staticRoutes(deps, { sdk: sdkBundleSource(path), demoDir: null }) };
}

describe('GET /sdk.js', () => {
  it('serves the bundle as JavaScript with a strong ETag and a five-minute public cache', async () => {
    const file = join(dir, 'tally.global.js');
    await writeFile(file, 'window.tally={version:"1"};');
    const res = await appWithBundle(file).app.request('/sdk.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/javascript/);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=300');
    expect(res.headers.get('ETag')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(await res.text()).toBe('window.tally={version:"1"};');
  });

  it('answers 304 without a body when If-None-Match names the current tag', async () => {
    const file = join(dir, 'tally.global.js');
    await writeFile(file, 'console.log(1)');
    const { app } = appWithBundle(file);
    const etag = (await app.request('/sdk.js')).headers.get('ETag')!;
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await app.request('/sdk.js', { headers: { 'If-None-Match': inm } });
      expect(res.status, inm).toBe(304);
      expect(res.headers.get('ETag')).toBe(etag);
      expect(res.headers.get('Cache-Control')).toBe('public, max-age=300');
      expect(await res.text()).toBe('');
    }
    const stale = await app.request('/sdk.js', { headers: { 'If-None-Match': '"not-it"' } });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe('console.log(1)');
  });

  it('answers HEAD with the same validators and no body', async () => {
    const file = join(dir, 'tally.global.js');
    await writeFile(file, 'console.log(2)');
    const { app } = appWithBundle(file);
    const get = await app.request('/sdk.js');
    const head = await app.request('/sdk.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('ETag')).toBe(get.headers.get('ETag'));
    expect(await head.text()).toBe('');
  });

  it('picks up a rebuilt bundle without a restart, with a new tag', async () => {
    const file = join(dir, 'tally.global.js');
    await writeFile(file, 'version one');
    const { app } = appWithBundle(file);
    const first = await app.request('/sdk.js');
    const oldTag = first.headers.get('ETag')!;
    await writeFile(file, 'version two, longer');
    const res = await app.request('/sdk.js', { headers: { 'If-None-Match': oldTag } });
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).not.toBe(oldTag);
    expect(await res.text()).toBe('version two, longer');
  });

  it('answers 503 with a JSON error naming the fix when the bundle is not built', async () => {
    const { app, deps } = appWithBundle(join(dir, 'missing.js'));
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/sdk.js');
      expect(res.status).toBe(503);
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      const body = (await res.json()) as { ok: boolean; error: string };
      expect(body.ok).toBe(false);
      expect(body.error).toContain('pnpm build');
      expect(body.error).toContain('missing.js');
    }
    expect(deps.logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('finds the real bundle through @tally/browser’s export map and serves it from createApp', async () => {
    const path = resolveSdkBundlePath();
    expect(path).toMatch(/packages[/\\]browser[/\\]dist[/\\]tally\.global\.js$/);
    const res = await createApp(makeTestDeps()).request('/sdk.js');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(path!))).toBe(true);
  });
});

describe('demo pages', () => {
  const app = createApp(makeTestDeps());
  const origin = 'http://127.0.0.1:8787';

  it('finds the demo through the @tally/demo package', () => {
    expect(resolveDemoDir()).toMatch(/demo$/);
  });

  it('serves the home page with the script tag pointing at this collector', async () => {
    const res = await app.request(`${origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain(`src="${origin}/sdk.js" data-endpoint="${origin}"`);
    expect(html).not.toContain('__TALLY_ORIGIN__');
  });

  it.each([
    ['/pricing', 'text/html', 'data-track-plan="pro"'],
    ['/signup', 'text/html', '<form id="signup-form"'],
    ['/welcome', 'text/html', 'Welcome aboard'],
    ['/app', 'text/html', 'id="view"'],
    ['/app/reports', 'text/html', 'id="view"'],
    ['/app/settings/', 'text/html', 'id="view"'],
    ['/demo.css', 'text/css', '--accent'],
    ['/app.js', 'application/javascript', 'pushState'],
  ])('%s → %s', async (path, type, snippet) => {
    const res = await app.request(`${origin}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain(type);
    expect(await res.text()).toContain(snippet);
  });

  it('does not shadow the API: unknown paths and non-demo files get the JSON 404', async () => {
    for (const path of ['/nope', '/package.json', '/pricing.json', '/v1/nothing-here']) {
      const res = await app.request(`${origin}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { ok: boolean }).ok).toBe(false);
    }
  });
});

describe('demo path safety', () => {
  it('never serves a file outside the demo folder, however the path is spelled', async () => {
    const site = join(dir, 'site');
    await mkdir(site);
    await writeFile(join(site, 'index.html'), '<p>home</p>');
    await writeFile(join(dir, 'secret.html'), '<p>secret</p>');
    await writeFile(join(dir, 'secret.js'), 'secret');
    const app = staticRoutes(makeTestDeps(), { sdk: sdkBundleSource(undefined), demoDir: site });
    expect(await (await app.request('/')).text()).toBe('<p>home</p>');
    const attempts = [
      '/..%2fsecret.html',
      '/..%2Fsecret.js',
      '/%2e%2e/secret.html',
      '/%2e%2e%2fsecret.html',
      '/..%5csecret.html',
      '/%252e%252e%252fsecret.html',
      '/app/..%2f..%2fsecret.html',
      '/.%2e/secret.html',
      '/secret.html%00.html',
      '/%c0%ae%c0%ae/secret.html',
    ];
    for (const path of attempts) {
      const res = await app.request(`http://localhost${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('secret');
    }
  });

  it('does not follow a symlink out of the demo folder', async () => {
    const site = join(dir, 'site');
    await mkdir(site);
    await writeFile(join(dir, 'secret.html'), '<p>secret</p>');
    await symlink(join(dir, 'secret.html'), join(site, 'leak.html'));
    const app = staticRoutes(makeTestDeps(), { sdk: sdkBundleSource(undefined), demoDir: site });
    expect((await app.request('/leak')).status).toBe(404);
    expect((await app.request('/leak.html')).status).toBe(404);
  });

  it('serves no dotfiles', async () => {
    const site = join(dir, 'site');
    await mkdir(join(site, '.hidden'), { recursive: true });
    await writeFile(join(site, '.hidden', 'a.html'), 'hidden');
    await writeFile(join(site, '.b.html'), 'hidden');
    const app = staticRoutes(makeTestDeps(), { sdk: sdkBundleSource(undefined), demoDir: site });
    expect((await app.request('/.hidden/a.html')).status).toBe(404);
    expect((await app.request('/.b.html')).status).toBe(404);
  });
});
