import { api } from '../api.js';
import type { ViewContext } from '../context.js';
import { h, mount } from '../el.js';
import { fmt, fmtPct } from '../format.js';
import { filterParams } from '../state.js';
import { csvLink, emptyBox, errorBox, loading, panel, shareBar } from '../ui.js';

interface Funnel {
  steps: { step: string; users: number; conversion_from_previous: number | null; conversion_from_first: number | null }[];
}
interface Breakdown {
  rows: { value: string | null; events: number }[];
}

const WITHIN = [
  ['1h', '1 hour'],
  ['1d', '1 day'],
  ['7d', '7 days'],
  ['30d', '30 days'],
] as const;

export function funnels(root: HTMLElement, ctx: ViewContext): void {
  const { state, range, signal } = ctx;
  const f = filterParams(state);
  const steps = (state.extra.steps ?? '').split(',').filter(Boolean);
  const within = WITHIN.some((w) => w[0] === state.extra.within) ? state.extra.within! : '7d';
  const list = h('datalist', { id: 'step-options' });
  const inputs = h('ol', { class: 'steps' });
  const addStep = (value = '') => {
    const input = h('input', { type: 'text', list: 'step-options', value, placeholder: 'event_type or event_type:feature', 'aria-label': `Step ${inputs.children.length + 1}`, class: 'step-input' });
    inputs.append(
      h(
        'li',
        null,
        input,
        h('button', { type: 'button', class: 'btn ghost', 'aria-label': 'Remove step', onclick: (ev: Event) => (ev.currentTarget as HTMLElement).parentElement!.remove() }, '×'),
      ),
    );
  };
  for (const s of steps.length ? steps : ['', '']) addStep(s);
  const windowSel = h('select', { 'aria-label': 'Window', id: 'funnel-within' }, WITHIN.map(([v, l]) => h('option', { value: v, selected: v === within }, l)));
  const form = h(
    'form',
    {
      class: 'funnel-form',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        const chosen = [...inputs.querySelectorAll('input')].map((i) => i.value.trim()).filter(Boolean);
        ctx.go({ extra: { ...state.extra, steps: chosen.join(','), within: windowSel.value } });
      },
    },
    list,
    inputs,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => addStep() }, '+ Add step'),
      h('label', null, 'completed within ', windowSel),
      h('button', { type: 'submit', class: 'btn primary' }, 'Show funnel'),
    ),
  );
  const result = h('div', { class: 'funnel-result' });
  mount(root, panel('Funnel steps', null, h('p', { class: 'hint' }, 'Users who did each step in order, each within the window of their first step.'), form), result);

  // Autocomplete from what exists: event types, and type:feature for the common types.
  Promise.all([
    api<Breakdown>('breakdown', { by: 'event_type', from: range.from, to: range.to, ...f }, signal),
    api<Breakdown>('breakdown', { by: 'feature', from: range.from, to: range.to, limit: 30, ...f }, signal),
  ]).then(([types, features]) => {
    const t = types.rows.map((r) => r.value).filter((v): v is string => v !== null);
    const ft = features.rows.slice(0, 30).map((r) => r.value).filter((v): v is string => v !== null);
    mount(list, t.map((v) => h('option', { value: v })), t.slice(0, 4).flatMap((ty) => ft.map((v) => h('option', { value: `${ty}:${v}` }))));
  }, () => {});

  if (steps.length < 2) {
    mount(result, emptyBox('Pick at least two steps', 'For example page_view:pricing, then action:signup_button.'));
    return;
  }
  mount(result, loading('the funnel'));
  const params = { steps: steps.join(','), within, from: range.from, to: range.to, ...f };
  api<Funnel>('funnel', params, signal).then(
    (fun) => {
      const first = fun.steps[0]?.users ?? 0;
      const bars = h(
        'div',
        { class: 'funnel-bars', 'aria-hidden': 'true' },
        fun.steps.map((s) => h('div', { class: 'funnel-bar' }, h('span', { class: 'step-name' }, s.step), shareBar(first === 0 ? 0 : s.users / first), h('span', { class: 'num' }, fmt(s.users)))),
      );
      const table = h(
        'table',
        { class: 'breakdown funnel', 'data-table': 'funnel' },
        h('caption', { class: 'sr-only' }, 'Funnel: users per step'),
        h('thead', null, h('tr', null, ['Step', 'Users', 'From previous', 'From first', 'Dropped'].map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
        h(
          'tbody',
          null,
          fun.steps.map((s, i) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, h('span', { class: 'name', title: s.step }, `${i + 1}. ${s.step}`)),
              h('td', { class: 'num', 'data-users': s.users }, fmt(s.users)),
              h('td', { class: 'num' }, s.conversion_from_previous === null ? '—' : fmtPct(s.conversion_from_previous)),
              h('td', { class: 'num' }, s.conversion_from_first === null ? '—' : fmtPct(s.conversion_from_first)),
              h('td', { class: 'num' }, i === 0 ? '—' : fmt(fun.steps[i - 1]!.users - s.users)),
            ),
          ),
        ),
      );
      // The five columns scroll inside the panel on a phone rather than widen the page.
      mount(result, panel('Conversion', csvLink('funnel', params), bars, h('div', { class: 'scroll' }, table)));
    },
    (err) => !signal.aborted && mount(result, errorBox(err, () => ctx.go({}))),
  );
}
