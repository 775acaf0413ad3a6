import { api } from '../api.js';
import { lineChart, tableTwin } from '../chart.js';
import type { ViewContext } from '../context.js';
import { h, mount } from '../el.js';
import { change, changeDir, fmt, fmtChange } from '../format.js';
import { DIM_LABELS, DIMS, filterParams, type Dim } from '../state.js';
import { card, csvLink, emptyBox, errorBox, loading, panel, shareBar, skeletonCards } from '../ui.js';

interface Usage {
  dau: number;
  wau: number;
  mau: number;
  total_events: number;
}
interface Series {
  points: { period: string; value: number }[];
}
interface Breakdown {
  rows: { value: string | null; events: number; users?: number }[];
  total_rows?: number;
}
interface Breakdowns {
  breakdowns: Record<Dim, Breakdown>;
}

// The collector's warmer keeps this top-N computed for the presets (collector/src/query/warm.ts).
const TOP = 10;

export function overview(root: HTMLElement, ctx: ViewContext): void {
  const { range, state, signal } = ctx;
  const f = filterParams(state);
  // The usage endpoint covers at most 365 days; longer custom ranges show the last 365 in the cards.
  const days = Math.min(range.days, 365);
  const interval = range.days > 92 ? 'week' : 'day';
  const metric = state.extra.metric === 'events' ? 'events' : 'active_users';

  const cards = h('div', { class: 'cards' });
  mount(cards, skeletonCards(4));
  const chartBox = h('div', { class: 'chart', id: 'main-chart' }, loading('the chart'));
  const tables = h('div', { class: 'tables' });
  const tableBoxes = new Map<Dim, HTMLElement>();
  for (const d of DIMS) {
    const box = h('div', { class: 'table-box' }, loading(DIM_LABELS[d].toLowerCase()));
    tableBoxes.set(d, box);
    tables.append(panel(DIM_LABELS[d], csvLink('breakdown', { by: d, from: range.from, to: range.to, ...f }), box));
  }
  const metricSwitch = h(
    'div',
    { class: 'seg', role: 'group', 'aria-label': 'Chart metric' },
    ['active_users', 'events'].map((m) =>
      h('button', { type: 'button', class: 'seg-btn', 'aria-pressed': String(m === metric), onclick: () => ctx.go({ extra: { ...state.extra, metric: m === 'events' ? 'events' : '' } }) }, m === 'events' ? 'Events' : 'Active users'),
    ),
  );
  mount(
    root,
    cards,
    panel(
      `${metric === 'events' ? 'Events' : 'Active users'} per ${interval}`,
      h('div', { class: 'actions' }, metricSwitch, csvLink('timeseries', { metric, interval, from: range.from, to: range.to, ...f })),
      h('p', { class: 'legend' }, h('span', { class: 'key cur' }), 'This period ', h('span', { class: 'key prev' }), 'Previous period'),
      chartBox,
    ),
    tables,
  );

  const cur = api<Usage>('usage', { days, to: range.to, ...f }, signal);
  const prev = api<Usage>('usage', { days, to: range.prevTo, ...f }, signal);
  // Before the first day with data there is nothing to compare with: no change is better than +∞.
  const first = ctx.info.first_day;
  const comparable = first !== null && range.prevFrom >= first;
  Promise.all([cur, prev]).then(
    ([u, pr]) => {
      const p = comparable ? pr : { dau: null, wau: null, mau: null, total_events: null };
      mount(
        cards,
        card('Daily active users', 'dau', u.dau, p.dau, 'average per day with data'),
        card('Weekly active users', 'wau', u.wau, p.wau, 'average per week'),
        card('Monthly active users', 'mau', u.mau, p.mau, 'distinct users in the range'),
        card('Events', 'events', u.total_events, p.total_events),
      );
    },
    (err) => !signal.aborted && mount(cards, errorBox(err, () => ctx.go({}))),
  );

  Promise.all([
    api<Series>('timeseries', { metric, interval, from: range.from, to: range.to, ...f }, signal),
    api<Series>('timeseries', { metric, interval, from: range.prevFrom, to: range.prevTo, ...f }, signal),
  ]).then(
    ([c, p]) => {
      const periods = c.points.map((x) => x.period);
      const label = metric === 'events' ? 'Events' : 'Active users';
      const series = [
        { label, values: c.points.map((x) => x.value) },
        {
          label: `${label}, previous period`,
          // Periods before the first recorded day are unknown, not zero.
          values: periods.map((_, i) => (first !== null && p.points[i] !== undefined && p.points[i]!.period >= first ? p.points[i]!.value : null)),
          faint: true,
        },
      ];
      mount(chartBox);
      const plot = h('div', { class: 'plot', 'aria-hidden': 'true' });
      chartBox.append(plot, tableTwin(`${label} per ${interval}`, periods, series));
      ctx.onLeave(lineChart(plot, periods, series));
    },
    (err) => !signal.aborted && mount(chartBox, errorBox(err, () => ctx.go({}))),
  );

  // All nine tables in two requests (this period's top 10 with users, the previous period's events
  // for the change column, not cut to 10 so a row outside its top 10 still gets a change); the
  // server reads each range once for every dimension.
  const by = DIMS.join(',');
  Promise.all([
    api<Breakdowns>('breakdowns', { by, from: range.from, to: range.to, limit: TOP, ...f }, signal),
    api<Breakdowns>('breakdowns', { by, from: range.prevFrom, to: range.prevTo, users: 'false', ...f }, signal),
  ]).then(
    async ([c, p]) => {
      const total = await cur.then((u) => u.total_events, () => undefined);
      for (const d of DIMS) mount(tableBoxes.get(d)!, breakdownTable(d, c.breakdowns[d], comparable ? p.breakdowns[d] : null, ctx, total));
    },
    (err) => {
      if (signal.aborted) return;
      for (const d of DIMS) mount(tableBoxes.get(d)!, errorBox(err, () => ctx.go({})));
    },
  );
}

/** `prev` null: the previous period began before the first recorded day, so there is no change to show (as on the cards). */
function breakdownTable(d: Dim, cur: Breakdown, prev: Breakdown | null, ctx: ViewContext, totalEvents: number | undefined): HTMLElement {
  if (cur.rows.length === 0) return emptyBox('Nothing here yet', `No events in this range carry a ${DIM_LABELS[d].toLowerCase()}.`);
  // Shares of all events in the range (the usage card's total), not of the 10 rows shown.
  const total = totalEvents ?? cur.rows.reduce((s, r) => s + r.events, 0);
  const before = prev === null ? null : new Map(prev.rows.map((r) => [r.value, r.events]));
  const active = ctx.state.filters[d];
  const rows = cur.rows.slice(0, TOP);
  const table = h(
    'table',
    { class: 'breakdown', 'data-table': d },
    h('caption', { class: 'sr-only' }, `${DIM_LABELS[d]}: events, users, share and change`),
    h(
      'thead',
      null,
      h('tr', null, h('th', { scope: 'col' }, DIM_LABELS[d]), h('th', { scope: 'col', class: 'num' }, 'Users'), h('th', { scope: 'col', class: 'num' }, 'Events'), h('th', { scope: 'col', class: 'num' }, 'Change')),
    ),
    h(
      'tbody',
      null,
      rows.map((r) => {
        const c = before === null ? undefined : change(r.events, before.get(r.value) ?? 0);
        const name = r.value ?? '(none)';
        const share = total === 0 ? 0 : r.events / total;
        const filterable = r.value !== null && active !== r.value;
        return h(
          'tr',
          { class: r.value === active ? 'selected' : null },
          h(
            'th',
            { scope: 'row', class: 'label' },
            filterable
              ? h('button', { type: 'button', class: 'row-filter', title: `Show only ${DIM_LABELS[d].toLowerCase()} = ${name}`, onclick: () => ctx.go({ filters: { ...ctx.state.filters, [d]: r.value! } }) }, h('span', { class: 'name' }, name))
              : h('span', { class: r.value === null ? 'name none' : 'name' }, name),
            shareBar(share),
          ),
          h('td', { class: 'num' }, fmt(r.users ?? 0)),
          h('td', { class: 'num' }, fmt(r.events)),
          c === undefined ? h('td', { class: 'num delta', title: 'no data for the whole previous period' }, '—') : h('td', { class: `num delta ${changeDir(c)}` }, fmtChange(c)),
        );
      }),
    ),
  );
  const count = cur.total_rows ?? cur.rows.length;
  const more = count > TOP ? h('p', { class: 'more' }, `Top ${TOP} of ${fmt(count)}; the CSV holds them all.`) : null;
  return h('div', null, table, more);
}
