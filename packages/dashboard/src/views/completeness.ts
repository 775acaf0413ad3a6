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
  const perApp = h('div', { class: 'table-box' }, app ? null : loading('apps'));
  mount(
    root,
    others.length ? h('p', { class: 'notice' }, 'The ledger counts requests per app only; filters other than App are not applied here.') : null,
    cards,
    app ? null : panel('Per app', null, perApp),
    panel(`Per UTC receipt day${app ? ` · app ${app}` : ''}`, csvLink('completeness', params), box),
  );
  if (!app) void appTable(perApp, ctx, days);
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

/**
 * One row per app: the apps the rollups know plus `default` (batches sent without an app), each
 * read with `completeness?app=` — the public API, as a script would.
 */
async function appTable(box: HTMLElement, ctx: ViewContext, days: number): Promise<void> {
  try {
    const apps = await api<{ rows: { value: string | null }[] }>('breakdown', { by: 'app', from: ctx.range.from, to: ctx.range.to }, ctx.signal);
    const names = [...new Set([...apps.rows.map((r) => r.value).filter((v): v is string => v !== null), 'default'])];
    const rows = await Promise.all(names.map(async (name) => ({ name, days: (await api<{ days: Day[] }>('completeness', { days, app: name }, ctx.signal)).days })));
    const body = rows
      .map(({ name, days: list }) => {
        const t = (k: 'accepted' | 'duplicates' | 'rejected_total' | 'bots' | 'dropped') => list.reduce((s, d) => s + d[k], 0);
        return { name, accepted: t('accepted'), duplicates: t('duplicates'), rejected: t('rejected_total'), bots: t('bots'), dropped: t('dropped') };
      })
      .filter((r) => r.accepted + r.duplicates + r.rejected + r.bots + r.dropped > 0);
    if (body.length === 0) return mount(box, emptyBox('Nothing received in this range', 'The ledger fills as the collector receives requests.'));
    mount(
      box,
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'breakdown', 'data-table': 'completeness_app' },
          h('thead', null, h('tr', null, ['App', 'Accepted', 'Duplicates', 'Rejected', 'Bots', 'Dropped', 'Complete'].map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
          h(
            'tbody',
            null,
            body.map((r) => {
              const whole = r.accepted + r.rejected + r.dropped;
              return h(
                'tr',
                null,
                h('th', { scope: 'row' }, h('button', { type: 'button', class: 'row-filter', onclick: () => ctx.go({ filters: { ...ctx.state.filters, app: r.name } }) }, h('span', { class: 'name' }, r.name))),
                [r.accepted, r.duplicates, r.rejected, r.bots, r.dropped].map((v) => h('td', { class: 'num' }, fmt(v))),
                h('td', { class: 'num' }, fmtPct(whole === 0 ? 1 : r.accepted / whole)),
              );
            }),
          ),
        ),
      ),
    );
  } catch (err) {
    if (!ctx.signal.aborted) mount(box, errorBox(err));
  }
}
