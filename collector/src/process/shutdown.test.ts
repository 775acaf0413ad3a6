import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realisticEvent, storedIds } from '../testing/process-requests.js';
import { killQuietly, startCollector, type CollectorProcess } from '../testing/index.js';

let running: CollectorProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  killQuietly(running);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts a POST whose body is sent in two halves, so the request is provably in flight in between. */
function slowPost(url: string, body: string) {
  const u = new URL(`${url}/v1/events`);
  let sendRest!: () => void;
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    sendRest = () => req.end(body.slice(half));
  });
  return { answer, sendRest: () => sendRest() };
}

describe('graceful shutdown', () => {
  it('SIGTERM: in-flight requests are answered and stored, then the process exits 0', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-term-'));
    running = await startCollector({ dataDir: dir });
    const batches = Array.from({ length: 4 }, (_, b) => Array.from({ length: 10 }, (_, i) => realisticEvent(b * 10 + i)));
    const posts = batches.map((events) => slowPost(running!.url, JSON.stringify({ events })));
    await new Promise((r) => setTimeout(r, 300));
    running.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // Still running: it waits for the requests it already accepted.
    expect(running.proc.exitCode).toBeNull();
    posts.forEach((p) => p.sendRest());
    const answers = await Promise.all(posts.map((p) => p.answer));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body)).toMatchObject({ ok: true, logged: 10 });
    }
    const exit = await running.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(running.output()).toContain('"msg":"stopped"');
    expect((await storedIds(dir)).sort()).toEqual(batches.flat().map((e) => e.event_id as string).sort());
    // New connections are refused once it has stopped.
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  }, 30_000);
});
