// Metrics kept in memory: for tests, the demo's summary, and quick debugging. It also notes
// misuse (a counter used as a gauge, a label the definition does not list) instead of
// throwing, so a test can assert that instrumentation follows `metricDefinitions`.
import {
  type MetricKind,
  type MetricLabels,
  type MetricName,
  type Metrics,
  metricDefinitions,
} from "./metrics.js";

export interface HistogramSummary {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Nearest-rank percentile (0-100] over the most recent samples (up to 10 000 kept). */
  percentile(p: number): number;
}

/** Every series recorded, keyed `name` or `name{label=value,…}` with labels sorted. */
export interface MetricsSnapshot {
  readonly counters: Readonly<Record<string, number>>;
  readonly gauges: Readonly<Record<string, number>>;
  readonly histograms: Readonly<Record<string, { count: number; sum: number; p50: number; p99: number }>>;
}

const SAMPLE_LIMIT = 10_000;

const keyOf = (name: string, labels?: MetricLabels) =>
  labels && Object.keys(labels).length > 0
    ? `${name}{${Object.keys(labels)
        .sort()
        .map((k) => `${k}=${labels[k]}`)
        .join(",")}}`
    : name;

class Histogram implements HistogramSummary {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private readonly samples: number[] = [];
  private next = 0;

  add(v: number): void {
    this.count++;
    this.sum += v;
    this.min = Math.min(this.min, v);
    this.max = Math.max(this.max, v);
    if (this.samples.length < SAMPLE_LIMIT) this.samples.push(v);
    else this.samples[this.next++ % SAMPLE_LIMIT] = v;
  }

  percentile(p: number): number {
    if (this.samples.length === 0) return Number.NaN;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
  }
}

export class RecordingMetrics implements Metrics {
  private readonly counters = new Map<string, number>();
  private readonly gauges = new Map<string, number>();
  private readonly histograms = new Map<string, Histogram>();
  /** Calls that disagree with `metricDefinitions`, one line each. */
  readonly misuses: string[] = [];

  count(name: MetricName, value = 1, labels?: MetricLabels): void {
    this.check(name, "counter", labels);
    const key = keyOf(name, labels);
    this.counters.set(key, (this.counters.get(key) ?? 0) + value);
  }

  gauge(name: MetricName, value: number, labels?: MetricLabels): void {
    this.check(name, "gauge", labels);
    this.gauges.set(keyOf(name, labels), value);
  }

  observe(name: MetricName, value: number, labels?: MetricLabels): void {
    this.check(name, "histogram", labels);
    const key = keyOf(name, labels);
    let h = this.histograms.get(key);
    if (!h) {
      h = new Histogram();
      this.histograms.set(key, h);
    }
    h.add(value);
  }

  /** A counter's value; without labels, the sum over every label set. */
  counter(name: MetricName, labels?: MetricLabels): number {
    if (labels) return this.counters.get(keyOf(name, labels)) ?? 0;
    let total = 0;
    for (const [key, v] of this.counters) if (key === name || key.startsWith(`${name}{`)) total += v;
    return total;
  }

  gaugeValue(name: MetricName, labels?: MetricLabels): number | undefined {
    return this.gauges.get(keyOf(name, labels));
  }

  histogram(name: MetricName, labels?: MetricLabels): HistogramSummary | undefined {
    return this.histograms.get(keyOf(name, labels));
  }

  /** Everything recorded, as plain data (for a summary printout or a snapshot assertion). */
  snapshot(): MetricsSnapshot {
    const histograms: Record<string, { count: number; sum: number; p50: number; p99: number }> = {};
    for (const [key, h] of this.histograms) {
      histograms[key] = { count: h.count, sum: h.sum, p50: h.percentile(50), p99: h.percentile(99) };
    }
    return {
      counters: Object.fromEntries(this.counters),
      gauges: Object.fromEntries(this.gauges),
      histograms,
    };
  }

  private check(name: MetricName, kind: MetricKind, labels: MetricLabels | undefined): void {
    const definition = metricDefinitions[name];
    if (!definition) {
      this.misuses.push(`${name}: not a defined metric`);
      return;
    }
    if (definition.kind !== kind) this.misuses.push(`${name}: a ${definition.kind}, used as a ${kind}`);
    for (const label of Object.keys(labels ?? {})) {
      if (!definition.labels.includes(label)) this.misuses.push(`${name}: label "${label}" is not defined`);
    }
  }
}
