import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.js';
import { apiKeyActor } from './audit.js';
import { eraseSubject } from './erase.js';
import { exportSubject } from './export.js';
import { subjectIdProblem } from './subject.js';

/**
 * `DELETE /api/analytics/users/:id` (erasure) and `GET /api/analytics/users/:id/export` (access).
 * Authentication (`X-Dash-Key`) is applied to `/api/*` in app.ts; here we only need the key to
 * name the caller in the audit log.
 */
export function privacyRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const actor = (c: Context) => apiKeyActor(c.req.header('x-dash-key'));
  const badId = (c: Context, id: string) => {
    const problem = subjectIdProblem(id);
    return problem === undefined ? undefined : c.json({ ok: false, error: problem }, 400);
  };

  app.delete('/api/analytics/users/', (c) => badId(c, '')!);
  app.get('/api/analytics/users//export', (c) => badId(c, '')!);

  app.delete('/api/analytics/users/:id', async (c) => {
    const id = c.req.param('id');
    const bad = badId(c, id);
    if (bad) return bad;
    return c.json(await eraseSubject(deps, id, actor(c)));
  });

  app.get('/api/analytics/users/:id/export', (c) => {
    const id = c.req.param('id');
    const bad = badId(c, id);
    if (bad) return bad;
    const lines = exportSubject(deps, id, actor(c));
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          // Batch lines into ~64 KiB chunks: one chunk per event would cost a write per event.
          let chunk = '';
          while (chunk.length < 65_536) {
            const next = await lines.next();
            if (next.done) {
              if (chunk.length > 0) controller.enqueue(encoder.encode(chunk));
              controller.close();
              return;
            }
            chunk += next.value;
          }
          controller.enqueue(encoder.encode(chunk));
        } catch (err) {
          // Headers are gone already; failing the stream tells the client the export is incomplete.
          deps.logger.error('export failed', { error: err instanceof Error ? err.message : String(err) });
          controller.error(err);
        }
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    return new Response(body, {
      status: 200,
      headers: {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': 'attachment; filename="tally-export.ndjson"',
        'cache-control': 'no-store',
      },
    });
  });

  return app;
}
