/**
 * A tiny Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4. Enough for one process; no dependency, no global state.
 */
export type Labels = Record<string, string>;

export interface Counter {
  inc(value?: number, labels?: Labels): void;
  get(labels?: Labels): number;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  get(labels?: Labels): number | undefined;
}

export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

export interface Registry {
  /** `initial`: label sets shown at 0 before their first increment, so `rate()` starts from zero. */
  counter(name: string, help: string, initial?: Labels[]): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets: readonly number[], initial?: Labels[]): Histogram;
  render(): string;
}

interface Series {
  labels: Labels;
  value: number;
}

interface HistSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export function createRegistry(): Registry {
  const renderers: Array<() => string> = [];

  return {
    counter(name, help, initial = [{}]) {
      const series = new Map<string, Series>();
      for (const labels of initial) slot(series, labels);
      renderers.push(() => header(name, help, 'counter') + renderSeries(name, series));
      return {
        inc(value = 1, labels = {}) {
          if (!(value >= 0)) return; // a counter only goes up; NaN and negatives are ignored
          slot(series, labels).value += value;
        },
        get: (labels = {}) => series.get(key(labels))?.value ?? 0,
      };
    },
    gauge(name, help) {
      const series = new Map<string, Series>();
      renderers.push(() => header(name, help, 'gauge') + renderSeries(name, series));
      return {
        set(value, labels = {}) {
          slot(series, labels).value = value;
        },
        get: (labels = {}) => series.get(key(labels))?.value,
      };
    },
    histogram(name, help, buckets, initial = []) {
      const bounds = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, HistSeries>();
      const slotOf = (labels: Labels): HistSeries => {
        const k = key(labels);
        let s = series.get(k);
        if (!s) {
          s = { labels: { ...labels }, counts: bounds.map(() => 0), sum: 0, count: 0 };
          series.set(k, s);
        }
        return s;
      };
      for (const labels of initial) slotOf(labels);
      renderers.push(() => {
        let out = header(name, help, 'histogram');
        for (const s of series.values()) {
          let cumulative = 0;
          bounds.forEach((le, i) => {
            cumulative += s.counts[i]!;
            out += `${name}_bucket${fmtLabels({ ...s.labels, le: fmtNum(le) })} ${cumulative}\n`;
          });
          out += `${name}_bucket${fmtLabels({ ...s.labels, le: '+Inf' })} ${s.count}\n`;
          out += `${name}_sum${fmtLabels(s.labels)} ${fmtNum(s.sum)}\n`;
          out += `${name}_count${fmtLabels(s.labels)} ${s.count}\n`;
        }
        return out;
      });
      return {
        observe(value, labels = {}) {
          if (!Number.isFinite(value)) return;
          const s = slotOf(labels);
          const i = bounds.findIndex((le) => value <= le);
          if (i >= 0) s.counts[i]!++;
          s.sum += value;
          s.count++;
        },
      };
    },
    render: () => renderers.map((r) => r()).join(''),
  };
}

function slot(series: Map<string, Series>, labels: Labels): Series {
  const k = key(labels);
  let s = series.get(k);
  if (!s) {
    s = { labels: { ...labels }, value: 0 };
    series.set(k, s);
  }
  return s;
}

// Called on every observation: the common 0- and 1-label cases skip the sort and stringify.
function key(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]}\u0000${labels[names[0]!]}`;
  return JSON.stringify(names.sort().map((n) => [n, labels[n]]));
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}

function renderSeries(name: string, series: Map<string, Series>): string {
  let out = '';
  for (const s of series.values()) out += `${name}${fmtLabels(s.labels)} ${fmtNum(s.value)}\n`;
  return out;
}

function fmtLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  );
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function fmtNum(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
