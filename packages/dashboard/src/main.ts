import { api, ApiError, session } from './api.js';
import type { Info, ViewContext } from './context.js';
import { h, mount } from './el.js';
import { fmtDay, isDay } from './format.js';
import { DIM_LABELS, DIMS, PRESETS, readState, resolveRange, stateUrl, type State, type View } from './state.js';
import { errorBox, loading } from './ui.js';
import { overview } from './views/overview.js';
import { realtime } from './views/realtime.js';
import { funnels } from './views/funnels.js';
import { retention } from './views/retention.js';
import { completeness } from './views/completeness.js';

const root = document.getElementById('root')!;
const VIEW_LABELS: Record<View, string> = { overview: 'Overview', realtime: 'Realtime', funnels: 'Funnels', retention: 'Retention', completeness: 'Completeness' };
const RENDER: Record<View, (el: HTMLElement, ctx: ViewContext) => void> = { overview, realtime, funnels, retention, completeness };

let leave: (() => void) | undefined;
/** Set when the page was opened through a read-only share link (no session). */
let shared: { view: View } | null = null;

async function boot(): Promise<void> {
  mount(root, loading('the dashboard'));
  // `info` asked for alongside the session check, not after it: one round trip less before the
  // view's own requests (signed out, it answers 401 and is dropped).
  const early = api<Info>('info');
  early.catch(() => undefined);
  const s = await session('GET').catch(() => undefined);
  if (!s || s.status !== 200) return mount(root, errorBox(new Error('The collector did not answer.'), boot));
  const share = (s.body as { share?: { view: View } | null }).share;
  if (!s.body.signed_in && share) shared = share;
  else if (!s.body.signed_in) return signIn(s.body.key_configured !== false);
  await render(early);
}

function signIn(configured: boolean, message?: string): void {
  leave?.();
  const input = h('input', { type: 'password', id: 'dash-key', name: 'key', autocomplete: 'current-password', required: true, 'aria-describedby': 'key-help', spellcheck: 'false' });
  const error = h('p', { class: 'form-error', id: 'sign-in-error', role: 'alert' }, message ?? '');
  const button = h('button', { type: 'submit', class: 'btn primary' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        button.disabled = true;
        error.textContent = '';
        const r = await session('POST', { key: input.value }).catch(() => ({ status: 0, body: { ok: false, error: 'The collector did not answer.' } }));
        button.disabled = false;
        if (r.status === 200 && r.body.ok) {
          input.value = '';
          return render();
        }
        error.textContent = r.body.error ?? 'Sign-in failed.';
        input.select();
      },
    },
    h('h1', null, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Tally'),
    h('label', { for: 'dash-key' }, 'Dashboard key'),
    input,
    h(
      'p',
      { class: 'hint', id: 'key-help' },
      configured ? 'The TALLY_DASH_KEY of this collector (pnpm start prints it and keeps it in data/dash-key). It is sent once; the browser keeps only a session cookie, for 7 days.' : 'This collector has no TALLY_DASH_KEY: set one and restart it.',
    ),
    error,
    button,
  );
  mount(root, h('main', { class: 'sign-in-wrap' }, form));
  input.focus();
}

async function render(prefetched?: Promise<Info>): Promise<void> {
  leave?.();
  const state = readState();
  if (shared) state.view = shared.view;
  let info: Info;
  try {
    info = await (prefetched ?? api<Info>('info'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signIn(true, shared ? 'This share link has expired or was revoked.' : 'Your session has ended; sign in again.');
    return mount(root, errorBox(err, () => void render()));
  }
  const range = resolveRange(state, info.today);
  const controller = new AbortController();
  const cleanups: (() => void)[] = [];
  leave = () => {
    controller.abort();
    for (const fn of cleanups.splice(0)) fn();
    leave = undefined;
  };
  const go = (next: Partial<State>) => {
    history.pushState(null, '', stateUrl({ ...state, ...next }));
    void render();
  };
  const ctx: ViewContext = { state, info, range, go, signal: controller.signal, onLeave: (fn) => cleanups.push(fn) };
  const main = h('main', { id: 'view', class: `view view-${state.view}` });
  mount(root, header(ctx), filterBar(ctx), main);
  document.title = `${VIEW_LABELS[state.view]} · Tally`;
  if (info.first_day === null && state.view !== 'completeness') return mount(main, emptyState());
  RENDER[state.view](main, ctx);
}

function navLink(view: View, ctx: ViewContext): HTMLElement {
  const current = ctx.state.view === view;
  return h(
    'a',
    {
      href: stateUrl({ ...ctx.state, view }),
      class: 'tab',
      'aria-current': current ? 'page' : null,
      onclick: (ev: Event) => {
        const e = ev as MouseEvent;
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        ev.preventDefault();
        ctx.go({ view });
      },
    },
    VIEW_LABELS[view],
  );
}

function header(ctx: ViewContext): HTMLElement {
  const { state, range, info } = ctx;
  const from = h('input', { type: 'date', value: range.from, max: info.today, 'aria-label': 'From', class: 'date' });
  const to = h('input', { type: 'date', value: range.to, max: info.today, 'aria-label': 'To', class: 'date' });
  const apply = () => {
    if (isDay(from.value) && isDay(to.value) && from.value <= to.value) ctx.go({ range: 'custom', from: from.value, to: to.value });
  };
  from.addEventListener('change', apply);
  to.addEventListener('change', apply);
  const showRange = state.view !== 'realtime';
  return h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'brand-row' },
      h('a', { class: 'brand', href: '/dashboard' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Tally'),
      h('nav', { class: 'tabs', 'aria-label': 'Views' }, (shared ? [shared.view] : (Object.keys(VIEW_LABELS) as View[])).map((v) => navLink(v, ctx))),
      shared
        ? h('div', { class: 'account' }, h('span', { class: 'badge', title: 'Opened through a share link: this view only, read-only' }, 'Shared view · read-only'))
        : h(
        'div',
        { class: 'account' },
        h('button', { type: 'button', class: 'btn ghost', id: 'share-btn', onclick: () => void share(ctx) }, 'Share'),
        h('button', { type: 'button', class: 'btn ghost', id: 'print-btn', onclick: () => window.print(), title: 'Print or save this view as PDF' }, 'Print / PDF'),
        h(
          'button',
          {
            type: 'button',
            class: 'btn ghost',
            onclick: async () => {
              await session('DELETE').catch(() => undefined);
              signIn(true, 'Signed out.');
            },
          },
          'Sign out',
        ),
      ),
    ),
    showRange
      ? h(
          'div',
          { class: 'range-row' },
          h(
            'div',
            { class: 'seg presets', role: 'group', 'aria-label': 'Date range' },
            PRESETS.map(([id, label]) =>
              h('button', { type: 'button', class: 'seg-btn', 'data-range': id, 'aria-pressed': String(state.range === id), onclick: () => ctx.go({ range: id, from: undefined, to: undefined }) }, label),
            ),
          ),
          h('div', { class: 'custom' }, from, h('span', { 'aria-hidden': 'true' }, '–'), to),
          h('p', { class: 'range-label', 'data-range-label': '' }, `${fmtDay(range.from)} – ${fmtDay(range.to)}`, h('span', { class: 'tz', title: 'TALLY_TZ: every day and week is counted in this zone' }, info.time_zone)),
        )
      : h('div', { class: 'range-row' }, h('p', { class: 'range-label' }, 'Last 30 minutes', h('span', { class: 'tz' }, info.time_zone))),
  );
}

/** Creates a read-only link to this view (30 days) and shows it once, ready to copy. */
async function share(ctx: ViewContext): Promise<void> {
  document.querySelector('.share-box')?.remove();
  const res = await fetch('/dashboard/api/shares', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ view: ctx.state.view, query: location.search.slice(1), expires_days: 30 }),
  }).catch(() => undefined);
  const body = (await res?.json().catch(() => undefined)) as { url?: string; error?: string } | undefined;
  const input = h('input', { type: 'text', readonly: true, value: body?.url ?? '', class: 'share-url', 'aria-label': 'Share link' });
  const box = h(
    'div',
    { class: 'share-box', role: 'status' },
    body?.url
      ? [h('span', null, 'Read-only link to this view, valid 30 days (revoke with DELETE /dashboard/api/shares/:id):'), input, h('button', { type: 'button', class: 'btn', onclick: () => void navigator.clipboard.writeText(input.value).catch(() => input.select()) }, 'Copy')]
      : h('span', null, body?.error ?? 'Could not create a share link.'),
    h('button', { type: 'button', class: 'btn ghost', 'aria-label': 'Close', onclick: () => box.remove() }, '×'),
  );
  document.querySelector('header.top')?.after(box);
  input.select();
}

function filterBar(ctx: ViewContext): HTMLElement {
  const { state } = ctx;
  const active = DIMS.filter((d) => state.filters[d] !== undefined);
  const dim = h('select', { 'aria-label': 'Filter by' }, DIMS.map((d) => h('option', { value: d }, DIM_LABELS[d])));
  const value = h('input', { type: 'text', placeholder: 'value', 'aria-label': 'Filter value', class: 'filter-value' });
  const add = h(
    'form',
    {
      class: 'add-filter',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        if (value.value.trim() !== '') ctx.go({ filters: { ...state.filters, [dim.value]: value.value.trim() } });
      },
    },
    dim,
    value,
    h('button', { type: 'submit', class: 'btn' }, 'Add filter'),
  );
  return h(
    'div',
    { class: 'filters', 'aria-label': 'Filters', role: 'region' },
    active.length === 0 ? h('span', { class: 'hint' }, 'All traffic. Click a row in a table to filter by it.') : null,
    active.map((d) =>
      h(
        'span',
        { class: 'chip', 'data-filter': d },
        h('span', { class: 'chip-dim' }, DIM_LABELS[d]),
        h('span', { class: 'chip-val' }, state.filters[d]!),
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Remove filter ${DIM_LABELS[d]}`,
            onclick: () => {
              const next = { ...state.filters };
              delete next[d];
              ctx.go({ filters: next });
            },
          },
          '×',
        ),
      ),
    ),
    add,
  );
}

function emptyState(): HTMLElement {
  const origin = location.origin;
  const tag = `<script defer src="${origin}/sdk.js" data-endpoint="${origin}" data-app="web"></script>`;
  const code = h('code', { id: 'script-tag' }, tag);
  const copied = h('span', { class: 'hint', role: 'status' });
  return h(
    'section',
    { class: 'empty-hero', 'data-empty': '' },
    h('h1', null, 'No events yet'),
    h('p', null, 'Add this tag to every page of your site, before </body>. Events appear on the Realtime view within seconds.'),
    h('pre', { class: 'snippet' }, code),
    h(
      'p',
      null,
      h(
        'button',
        {
          type: 'button',
          class: 'btn primary',
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(tag);
              copied.textContent = ' Copied.';
            } catch {
              copied.textContent = ' Select the tag and copy it.';
            }
          },
        },
        'Copy the tag',
      ),
      copied,
    ),
    h('h2', null, 'Just looking?'),
    h('p', null, 'Click around the ', h('a', { href: '/' }, 'demo site'), ' this collector serves, or load 90 days of sample data:'),
    h('pre', { class: 'snippet' }, h('code', null, 'pnpm collector generate --days 90')),
  );
}

window.addEventListener('popstate', () => void render());
void boot();
