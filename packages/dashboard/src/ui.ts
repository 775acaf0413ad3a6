import { apiUrl, ApiError, type Params } from './api.js';
import { h } from './el.js';
import { change, changeDir, fmt, fmtChange, fmtPct } from './format.js';

/** A figure with its change against the previous period; `data-metric` marks the element whose text is the number. */
/** `prev`: undefined = no comparison for this figure, null = the previous period was not recorded. */
export function card(label: string, metric: string, value: number, prev: number | null | undefined, hint?: string): HTMLElement {
  const c = prev === undefined || prev === null ? undefined : change(value, prev);
  const dir = c === undefined ? '' : changeDir(c);
  return h(
    'section',
    { class: 'card', 'aria-label': label },
    h('h3', null, label),
    h('p', { class: 'figure' }, h('span', { 'data-metric': metric, 'data-value': value }, fmt(value))),
    prev === null
      ? h('p', { class: 'delta' }, 'no data for the previous period')
      : c === undefined
        ? null
        : h('p', { class: `delta ${dir}`, title: `previous period: ${fmt(prev!)}` }, h('span', { 'aria-hidden': 'true' }, dir === 'up' ? '▲ ' : dir === 'down' ? '▼ ' : ''), `${fmtChange(c)} vs previous period`),
    hint ? h('p', { class: 'hint' }, hint) : null,
  );
}

export function skeletonCards(n: number): HTMLElement {
  return h('div', { class: 'cards' }, Array.from({ length: n }, () => h('section', { class: 'card loading', 'aria-hidden': 'true' }, h('h3', null, '\u00a0'), h('p', { class: 'figure' }, '\u00a0'))));
}

export function loading(what: string): HTMLElement {
  return h('div', { class: 'state loading-state', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), `Loading ${what}…`);
}

export function errorBox(err: unknown, retry?: () => void): HTMLElement {
  const msg = err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
  const status = err instanceof ApiError ? err.status : 0;
  return h(
    'div',
    { class: 'state error-state', role: 'alert' },
    h('strong', null, status === 503 ? 'The collector is busy or its storage is unavailable.' : 'Could not load this view.'),
    h('p', null, msg),
    retry ? h('button', { type: 'button', class: 'btn', onclick: retry }, 'Try again') : null,
  );
}

export function emptyBox(title: string, text: string): HTMLElement {
  return h('div', { class: 'state empty-state' }, h('strong', null, title), h('p', null, text));
}

/** The API's own CSV for the same query: one CSV writer (and its formula neutralisation) serves both. */
export function csvLink(path: string, params: Params, label = 'CSV'): HTMLAnchorElement {
  return h('a', { class: 'csv', href: apiUrl(path, { ...params, format: 'csv' }), download: `${path}.csv` }, `↓ ${label}`);
}

/** A horizontal share bar; width set through CSSOM (allowed by the CSP, unlike style attributes). */
export function shareBar(share: number): HTMLElement {
  const bar = h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'fill' }));
  (bar.firstChild as HTMLElement).style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  return bar;
}

export function pct(n: number): string {
  return fmtPct(n);
}

export function panel(title: string, actions: HTMLElement | null, ...body: (Node | null)[]): HTMLElement {
  return h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', null, title), actions), ...body);
}
