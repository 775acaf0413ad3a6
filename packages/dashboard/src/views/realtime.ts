import { api } from '../api.js';
import { lineChart, tableTwin } from '../chart.js';
import type { ViewContext } from '../context.js';
import { h, mount, safeHref } from '../el.js';
import { card, csvLink, emptyBox, errorBox, loading, panel } from '../ui.js';

interface Realtime {
  now: string;
  active_users: number;
  events: number;
  minutes: { minute: string; label: string; events: number; users: number }[];
  latest: { received_at: string; event_type: string; feature: string | null; url: string | null; platform: string | null; app: string | null }[];
}

/** Polled every 5 s: an event the collector acknowledged shows within one poll. */
export const REALTIME_POLL_MS = 5000;

export function realtime(root: HTMLElement, ctx: ViewContext): void {
  const app = ctx.state.filters.app;
  const cards = h('div', { class: 'cards two' }, loading('the last 30 minutes'));
  const chartBox = h('div', { class: 'chart' });
  const feed = h('div', { class: 'table-box' });
  const updated = h('p', { class: 'hint', 'aria-live': 'off' });
  mount(
    root,
    cards,
    panel('Events per minute, last 30 minutes', csvLink('realtime', { app }), chartBox),
    panel('Latest events', updated, feed),
  );
  let stopChart: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  ctx.onLeave(() => {
    clearTimeout(timer);
    stopChart?.();
  });
  const time = new Intl.DateTimeFormat(undefined, { timeZone: ctx.info.time_zone, hour: '2-digit', minute: '2-digit', second: '2-digit' });

  const tick = async () => {
    try {
      const r = await api<Realtime>('realtime', { app, latest: 20 }, ctx.signal);
      mount(cards, card('Active users, last 30 min', 'realtime_users', r.active_users, undefined), card('Events, last 30 min', 'realtime_events', r.events, undefined));
      stopChart?.();
      mount(chartBox);
      const plot = h('div', { class: 'plot', 'aria-hidden': 'true' });
      const labels = r.minutes.map((m) => m.label);
      const series = [{ label: 'Events', values: r.minutes.map((m) => m.events) }];
      chartBox.append(plot, tableTwin('Events per minute', labels, series));
      stopChart = lineChart(plot, labels, series, { bars: true, xLabels: labels });
      updated.textContent = `Updated ${time.format(new Date(r.now))} (${ctx.info.time_zone}), every 5 s`;
      mount(
        feed,
        r.latest.length === 0
          ? emptyBox('No events in the last 30 minutes', 'Open the demo site or your own app: events appear here within 5 seconds.')
          : // Scrolls inside its panel on a phone: six columns of event values do not fit 360 px.
            h(
              'div',
              { class: 'scroll' },
              h(
                'table',
                { class: 'feed', 'data-table': 'latest' },
                h('thead', null, h('tr', null, ['Time', 'Type', 'Feature', 'URL', 'Platform', 'App'].map((t) => h('th', { scope: 'col' }, t)))),
                h(
                  'tbody',
                  null,
                  r.latest.map((e) =>
                    h(
                      'tr',
                      null,
                      h('td', { class: 'num' }, time.format(new Date(e.received_at))),
                      h('td', null, e.event_type),
                      h('td', null, e.feature ?? '—'),
                      h('td', { class: 'url' }, urlCell(e.url)),
                      h('td', null, e.platform ?? '—'),
                      h('td', null, e.app ?? '—'),
                    ),
                  ),
                ),
              ),
            ),
      );
    } catch (err) {
      if (ctx.signal.aborted) return;
      mount(cards, errorBox(err));
    }
    if (!ctx.signal.aborted) timer = setTimeout(tick, REALTIME_POLL_MS);
  };
  void tick();
}

/** A URL from an event: text always; a link only when it is an absolute http(s) address. */
export function urlCell(url: string | null): Node {
  if (url === null) return document.createTextNode('—');
  const abs = /^https?:\/\//i.test(url) ? safeHref(url) : null;
  return abs ? h('a', { href: abs, rel: 'noreferrer noopener', target: '_blank' }, url) : document.createTextNode(url);
}
