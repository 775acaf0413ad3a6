import { api } from '../api.js';
import type { ViewContext } from '../context.js';
import { h, mount } from '../el.js';
import { fmt, fmtPct } from '../format.js';
import { card, csvLink, emptyBox, errorBox, loading, panel } from '../ui.js';

interface Day {
  day: string;
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
  rejected_total: number;
  bots: number;
  dropped: number;
}

export function completeness(root: HTMLElement, ctx: ViewContext): void {
  const { state, range, signal } = ctx;
  const app = state.filters.app;
  const others = Object.keys(state.filters).filter((k) => k !== 'app');
  const days = Math.min(365, range.days);
  const params = { days, app };
  const cards = h('div', { class: 'cards' }, loading('the ledger'));
  const box = h('div', { class: 'table-box' });
  mount(
    root,
    others.length ? h('p', { class: 'notice' }, 'The ledger counts requests per app only; filters other than App are not applied here.') : null,
    cards,
    panel(`Per UTC receipt day${app ? ` · app ${app}` : ''}`, csvLink('completeness', params), box),
  );
  api<{ days: Day[] }>('completeness', params, signal).then(
    (r) => {
      const sum = (k: 'accepted' | 'duplicates' | 'rejected_total' | 'bots' | 'dropped') => r.days.reduce((s, d) => s + d[k], 0);
      const acc = sum('accepted');
      const lost = sum('rejected_total') + sum('dropped');
      mount(
        cards,
        card('Accepted', 'accepted', acc, undefined),
        card('Duplicates ignored', 'duplicates', sum('duplicates'), undefined, 'resends, counted once'),
        card('Rejected', 'rejected', sum('rejected_total'), undefined, 'invalid events'),
        card('Dropped by SDKs', 'dropped', sum('dropped'), undefined, `${fmtPct(acc + lost === 0 ? 1 : acc / (acc + lost))} of events complete; ${fmt(sum('bots'))} bot requests`),
      );
      if (r.days.length === 0) return mount(box, emptyBox('Nothing received in this range', 'The ledger fills as the collector receives requests.'));
      const reasons = [...new Set(r.days.flatMap((d) => Object.keys(d.rejected)))].sort();
      mount(
        box,
        h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            { class: 'breakdown', 'data-table': 'completeness' },
            h('thead', null, h('tr', null, ['Day', 'Accepted', 'Duplicates', 'Rejected', ...reasons.map((x) => `· ${x}`), 'Bots', 'Dropped'].map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
            h(
              'tbody',
              null,
              [...r.days].reverse().map((d) =>
                h(
                  'tr',
                  null,
                  h('th', { scope: 'row' }, d.day),
                  [d.accepted, d.duplicates, d.rejected_total, ...reasons.map((x) => d.rejected[x] ?? 0), d.bots, d.dropped].map((v) => h('td', { class: 'num' }, fmt(v))),
                ),
              ),
            ),
          ),
        ),
      );
    },
    (err) => !signal.aborted && mount(cards, errorBox(err, () => ctx.go({}))),
  );
}
