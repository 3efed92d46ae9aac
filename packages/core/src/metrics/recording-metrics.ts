// Metrics kept in memory: for tests, the demo's summary, and quick debugging.
import type { MetricLabels, MetricName, Metrics } from "./metrics.js";

export interface HistogramSummary {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Percentiles over the most recent samples (up to 10 000 kept). */
  percentile(p: number): number;
}

const SAMPLE_LIMIT = 10_000;

const keyOf = (name: string, labels?: MetricLabels) =>
  labels
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
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  }
}

export class RecordingMetrics implements Metrics {
  private readonly counters = new Map<string, number>();
  private readonly gauges = new Map<string, number>();
  private readonly histograms = new Map<string, Histogram>();

  count(name: MetricName, value = 1, labels?: MetricLabels): void {
    const key = keyOf(name, labels);
    this.counters.set(key, (this.counters.get(key) ?? 0) + value);
  }

  gauge(name: MetricName, value: number, labels?: MetricLabels): void {
    this.gauges.set(keyOf(name, labels), value);
  }

  observe(name: MetricName, value: number, labels?: MetricLabels): void {
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
}
