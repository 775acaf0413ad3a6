import { api } from '../api.js';
import type { ViewContext } from '../context.js';
import { h, mount } from '../el.js';
import { fmt, fmtPct } from '../format.js';
import { filterParams } from '../state.js';
import { csvLink, emptyBox, errorBox, loading, panel } from '../ui.js';

interface Retention {
  cohorts: { cohort: string; size: number; active: (number | null)[]; retention: (number | null)[] }[];
}

export function retention(root: HTMLElement, ctx: ViewContext): void {
  const { state, range, signal } = ctx;
  const cohort = state.extra.cohort === 'day' ? 'day' : 'week';
  const periods = cohort === 'week' ? Math.min(12, Math.max(1, Math.floor(range.days / 7))) : Math.min(30, range.days);
  const params = { cohort, periods, from: range.from, to: range.to, ...filterParams(state) };
  const box = h('div', { class: 'table-box' }, loading('cohorts'));
  const toggle = h(
    'div',
    { class: 'seg', role: 'group', 'aria-label': 'Cohort size' },
    (['day', 'week'] as const).map((c) => h('button', { type: 'button', class: 'seg-btn', 'aria-pressed': String(c === cohort), onclick: () => ctx.go({ extra: { ...state.extra, cohort: c === 'week' ? '' : c } }) }, c === 'day' ? 'Daily' : 'Weekly')),
  );
  mount(root, panel(`Retention by ${cohort} of first visit`, h('div', { class: 'actions' }, toggle, csvLink('retention', params)), box));
  api<Retention>('retention', params, signal).then(
    (r) => {
      if (r.cohorts.length === 0) return mount(box, emptyBox('No cohorts in this range', 'Pick a longer range.'));
      const n = Math.max(...r.cohorts.map((c) => c.retention.length));
      mount(
        box,
        h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            { class: 'grid', 'data-table': 'retention' },
            h('caption', { class: 'sr-only' }, 'Share of each cohort active in each later period'),
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Cohort'), h('th', { scope: 'col', class: 'num' }, 'Users'), Array.from({ length: n }, (_, k) => h('th', { scope: 'col', class: 'num' }, `${cohort === 'week' ? 'W' : 'D'}${k}`)))),
            h(
              'tbody',
              null,
              r.cohorts.map((c) =>
                h(
                  'tr',
                  { 'data-cohort': c.cohort },
                  h('th', { scope: 'row' }, c.cohort),
                  h('td', { class: 'num', 'data-size': c.size }, fmt(c.size)),
                  Array.from({ length: n }, (_, k) => {
                    const v = c.retention[k];
                    if (v === null || v === undefined) return h('td', { class: 'cell empty' }, '');
                    // data-active / data-retention: the exact figures behind the rounded text, for scripts and tests.
                    const td = h('td', { class: 'cell num', title: `${fmt(c.active[k] ?? 0)} users`, 'data-active': c.active[k] ?? 0, 'data-retention': v }, fmtPct(v));
                    // Shade by share; set through CSSOM, which the CSP allows.
                    td.style.setProperty('--share', String(v));
                    if (v > 0.5) td.classList.add('dark');
                    return td;
                  }),
                ),
              ),
            ),
          ),
        ),
      );
    },
    (err) => !signal.aborted && mount(box, errorBox(err, () => ctx.go({}))),
  );
}
