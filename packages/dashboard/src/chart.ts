import uPlot from 'uplot';
import { h } from './el.js';
import { fmt } from './format.js';

export interface SeriesSpec {
  label: string;
  values: (number | null)[];
  /** The previous period: drawn faint and dashed. */
  faint?: boolean;
}

/** Counts are whole numbers: no 0.2-user ticks. */
const INT_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2500, 5e3, 1e4, 2e4, 25e3, 5e4, 1e5, 2e5, 25e4, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8];

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#4f46e5';

/**
 * A line chart of per-period values. x is each period's label as a UTC midnight, and uPlot is told
 * to draw in UTC: the labels are calendar days of TALLY_TZ already, and must not move with the
 * browser's own zone (the bug class of umami#3810).
 */
export function lineChart(container: HTMLElement, periods: string[], series: SeriesSpec[], opts: { bars?: boolean; xLabels?: string[] } = {}): () => void {
  const x = periods.map((p, i) => (opts.xLabels ? i : Date.parse(`${p}T00:00:00Z`) / 1000));
  const accent = css('--accent');
  const muted = css('--chart-prev');
  const grid = css('--grid');
  const text = css('--muted');
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' };
  const make = (width: number) =>
    new uPlot(
      {
        width,
        height: 260,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { size: 7 } },
        // One period alone (the "today" range): uPlot 1.6 widens a one-point time axis by 86,400 / 1e-3
        // seconds (~2.7 years); half a period each side instead.
        scales: { x: { time: !opts.xLabels, range: (_u, min, max) => (x.length === 1 ? [x[0]! - (opts.xLabels ? 0.5 : 43_200), x[0]! + (opts.xLabels ? 0.5 : 43_200)] : [min, max]) }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          opts.xLabels
            ? { ...axis, values: (_u, splits) => splits.map((s) => opts.xLabels![s] ?? '') }
            : axis,
          { ...axis, size: 56, incrs: INT_STEPS, values: (_u, splits) => splits.map((s) => fmt(s)) },
        ],
        series: [
          {},
          ...series.map((s) =>
            opts.bars
              ? { label: s.label, stroke: accent, fill: accent, paths: uPlot.paths.bars!({ size: [0.7, 40] }), points: { show: false } }
              : {
                  label: s.label,
                  stroke: s.faint ? muted : accent,
                  width: s.faint ? 1.5 : 2.5,
                  dash: s.faint ? [5, 5] : undefined,
                  fill: s.faint ? undefined : css('--accent-fill'),
                  points: { show: periods.length <= 31 },
                },
          ),
        ],
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      container,
    );
  let plot = make(Math.max(280, container.clientWidth || 600));
  const ro = new ResizeObserver(() => {
    const w = Math.max(280, container.clientWidth);
    if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height: 260 });
  });
  ro.observe(container);
  return () => {
    ro.disconnect();
    plot.destroy();
  };
}

/** The chart's numbers as a table, for screen readers (visually hidden, announced). */
export function tableTwin(caption: string, periods: string[], series: SeriesSpec[]): HTMLTableElement {
  return h(
    'table',
    { class: 'sr-only' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Period'), series.map((s) => h('th', { scope: 'col' }, s.label)))),
    h('tbody', null, periods.map((p, i) => h('tr', null, h('th', { scope: 'row' }, p), series.map((s) => h('td', null, s.values[i] === null ? '' : fmt(s.values[i]!)))))),
  );
}
