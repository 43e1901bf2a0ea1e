/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms with
 * labels, plus collect-time callbacks for values read from live objects (per-camera fps, states).
 * No dependency: the format is simple and we only need what /metrics exposes.
 */

export type Labels = Record<string, string>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}` : '';
}
function fmt(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {
    if (!NAME.test(name)) throw new TypeError(`invalid metric name ${JSON.stringify(name)}`);
  }
  abstract lines(): string[];
  /** Removes every series whose labels include `labels` (e.g. a removed camera). */
  abstract removeMatching(labels: Labels): void;
}

function matches(series: Labels | undefined, sel: Labels): boolean {
  return Object.entries(sel).every(([k, v]) => series?.[k] === v);
}

export class Counter extends Metric {
  private readonly series = new Map<string, { labels?: Labels; value: number }>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels?: Labels, by = 1): void {
    const k = labelKey(labels);
    const s = this.series.get(k);
    if (s) s.value += by;
    else this.series.set(k, { labels, value: by });
  }
  get(labels?: Labels): number {
    return this.series.get(labelKey(labels))?.value ?? 0;
  }
  lines(): string[] {
    return [...this.series.entries()].map(([k, s]) => `${this.name}${k} ${fmt(s.value)}`);
  }
  removeMatching(labels: Labels): void {
    for (const [k, s] of this.series) if (matches(s.labels, labels)) this.series.delete(k);
  }
}

/** A gauge whose series are read at scrape time from `collect()` (live values, no bookkeeping). */
export class Gauge extends Metric {
  private readonly fixed = new Map<string, { labels?: Labels; value: number }>();
  constructor(
    name: string,
    help: string,
    private readonly collect?: () => Iterable<{ labels?: Labels; value: number }>,
  ) {
    super(name, help, 'gauge');
  }
  set(labels: Labels | undefined, value: number): void {
    this.fixed.set(labelKey(labels), { labels, value });
  }
  lines(): string[] {
    const all = [...this.fixed.values(), ...(this.collect ? this.collect() : [])];
    return all.map((s) => `${this.name}${labelKey(s.labels)} ${fmt(s.value)}`);
  }
  removeMatching(labels: Labels): void {
    for (const [k, s] of this.fixed) if (matches(s.labels, labels)) this.fixed.delete(k);
  }
}

export class Histogram extends Metric {
  private readonly series = new Map<string, { labels?: Labels; counts: number[]; sum: number; count: number }>();
  /** @param buckets upper bounds, ascending (the +Inf bucket is implicit). */
  constructor(
    name: string,
    help: string,
    readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram');
    for (let i = 1; i < buckets.length; i++)
      if (!(buckets[i]! > buckets[i - 1]!)) throw new TypeError(`histogram ${name}: buckets must be strictly ascending`);
  }
  observe(value: number, labels?: Labels): void {
    if (!Number.isFinite(value)) return;
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  count(labels?: Labels): number {
    return this.series.get(labelKey(labels))?.count ?? 0;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelKey({ ...s.labels, le: fmt(b) })} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelKey({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${labelKey(s.labels)} ${fmt(s.sum)}`);
      out.push(`${this.name}_count${labelKey(s.labels)} ${s.count}`);
    }
    return out;
  }
  removeMatching(labels: Labels): void {
    for (const [k, s] of this.series) if (matches(s.labels, labels)) this.series.delete(k);
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  register<M extends Metric>(m: M): M {
    if (this.metrics.has(m.name)) throw new TypeError(`metric ${m.name} registered twice`);
    this.metrics.set(m.name, m);
    return m;
  }
  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }
  gauge(name: string, help: string, collect?: () => Iterable<{ labels?: Labels; value: number }>): Gauge {
    return this.register(new Gauge(name, help, collect));
  }
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, buckets));
  }
  /** Drops every series labelled with these labels (e.g. `{camera: 'lobby'}` when a camera is removed). */
  removeMatching(labels: Labels): void {
    for (const m of this.metrics.values()) m.removeMatching(labels);
  }
  /** The text exposition format; one HELP and TYPE line per metric, then its series. */
  render(): string {
    const out: string[] = [];
    for (const m of this.metrics.values()) {
      out.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${m.name} ${m.type}`);
      out.push(...m.lines());
    }
    return out.join('\n') + '\n';
  }
}

/** Latency buckets in milliseconds, from 1 ms to 10 s. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 750, 1000, 2000, 5000, 10000] as const;
export const BATCH_SIZE_BUCKETS = [1, 2, 3, 4, 6, 8, 12, 16] as const;
