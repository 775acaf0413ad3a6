import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { ingestCors } from './cors.js';

/** hono's own cors() with the options ingestCors was built from: the reference for simple requests. */
function reference(allowedOrigins: string[]) {
  const any = allowedOrigins.includes('*');
  return cors({
    origin: any ? '*' : (o) => (allowedOrigins.includes(o) ? o : null),
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Content-Encoding'],
    exposeHeaders: ['Retry-After'],
    maxAge: 86400,
  });
}

function appWith(mw: ReturnType<typeof cors>) {
  const app = new Hono();
  app.use('/x', mw);
  app.post('/x', (c) => {
    c.header('Retry-After', '5');
    return c.json({ ok: true }, 200);
  });
  return app;
}

const headerList = (res: Response) => [...res.headers.entries()].sort(([a], [b]) => a.localeCompare(b));

describe('ingestCors on simple requests', () => {
  it.each([
    [['*'], undefined],
    [['*'], 'https://shop.example'],
    [['https://shop.example'], 'https://shop.example'],
    [['https://shop.example'], undefined],
  ])('sets exactly the headers hono cors() sets (allowed %j, origin %s)', async (allowed, origin) => {
    const init: RequestInit = { method: 'POST', headers: origin ? { origin } : {} };
    const ours = await appWith(ingestCors(allowed)).request('/x', init);
    const ref = await appWith(reference(allowed)).request('/x', init);
    expect(ours.status).toBe(200);
    expect(headerList(ours)).toEqual(headerList(ref));
    expect(ours.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });
});
