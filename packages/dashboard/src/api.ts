/** The public query API, with the session cookie the sign-in set (never the key itself). */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * fetch, with a network failure (the collector stopped or is restarting) as an ApiError whose text a
 * user can act on, instead of the browser's bare "Failed to fetch". An abort stays an abort.
 */
async function reach(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'The collector did not answer: it may be stopped or restarting. Try again in a moment.');
  }
}

export type Params = Record<string, string | number | undefined>;

export function apiUrl(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `/api/analytics/${path}${s ? `?${s}` : ''}`;
}

export async function api<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  const res = await reach(apiUrl(path, params), { credentials: 'same-origin', headers: { Accept: 'application/json' }, signal });
  let body: { ok?: boolean; error?: string } | undefined;
  try {
    body = (await res.json()) as typeof body;
  } catch {
    body = undefined;
  }
  if (!res.ok || !body || body.ok === false) throw new ApiError(res.status, body?.error ?? `the collector answered ${res.status}`);
  return body as T;
}

export async function session(method: 'GET' | 'POST' | 'DELETE', body?: object): Promise<{ status: number; body: { ok: boolean; error?: string; signed_in?: boolean; key_configured?: boolean } }> {
  const res = await reach('/dashboard/api/session', {
    method,
    credentials: 'same-origin',
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  let json: { ok: boolean; error?: string };
  try {
    json = (await res.json()) as typeof json;
  } catch {
    json = { ok: false, error: `the collector answered ${res.status}` };
  }
  return { status: res.status, body: json };
}
