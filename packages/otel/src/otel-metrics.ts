// Core's `Metrics` on an OpenTelemetry Meter. Every metric in core's `metricDefinitions` becomes
// an instrument up front — counters as Counter, gauges as a synchronous Gauge, histograms as a
// Histogram in milliseconds with buckets suited to handler and send latency — so an exporter
// shows each one from the start, and a name added to the table later needs no change here.
// Labels become attributes as they are. Recording is one map lookup and one instrument call.
import {
  ErrorCode,
  KytosEventsError,
  type MetricDefinition,
  type MetricKind,
  type MetricLabels,
  type MetricName,
  type Metrics,
  metricDefinitions,
} from "@kytos-events/core";
import type { Counter, Gauge, Histogram, Meter } from "@opentelemetry/api";

/**
 * Default histogram buckets, ms: sub-millisecond handlers up to 30 s broker round trips. They
 * are advice to the SDK; a View the application registers still wins.
 */
export const DEFAULT_LATENCY_BUCKETS_MS: readonly number[] = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000,
];

export interface OtelMetricsOptions {
  /** Histogram bucket boundaries in ms, ascending. Default: DEFAULT_LATENCY_BUCKETS_MS. */
  readonly latencyBucketsMs?: readonly number[];
  /** The metric table to create instruments from. Default: core's `metricDefinitions`. */
  readonly definitions?: Readonly<Record<string, MetricDefinition>>;
}

/** Reports kytos-events metrics through an OpenTelemetry Meter (from any MeterProvider). */
export class OtelMetrics implements Metrics {
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly histograms = new Map<string, Histogram>();
  private readonly buckets: number[];

  constructor(
    private readonly meter: Meter,
    options: OtelMetricsOptions = {},
  ) {
    if (typeof meter?.createCounter !== "function" || typeof meter.createGauge !== "function") {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        "OtelMetrics needs an OpenTelemetry Meter with createGauge (@opentelemetry/api >= 1.9), " +
          'e.g. metrics.getMeter("kytos-events").',
      );
    }
    this.buckets = validBuckets(options.latencyBucketsMs ?? DEFAULT_LATENCY_BUCKETS_MS);
    const definitions: Readonly<Record<string, MetricDefinition>> = options.definitions ?? metricDefinitions;
    for (const [name, definition] of Object.entries(definitions)) this.create(name, definition);
  }

  count(name: MetricName, value = 1, labels?: MetricLabels): void {
    (this.counters.get(name) ?? this.late(name, "counter")).add(value, labels);
  }

  gauge(name: MetricName, value: number, labels?: MetricLabels): void {
    (this.gauges.get(name) ?? this.late(name, "gauge")).record(value, labels);
  }

  observe(name: MetricName, value: number, labels?: MetricLabels): void {
    (this.histograms.get(name) ?? this.late(name, "histogram")).record(value, labels);
  }

  private create(name: string, definition: MetricDefinition): void {
    const options = { description: definition.description, unit: definition.unit };
    switch (definition.kind) {
      case "counter":
        this.counters.set(name, this.meter.createCounter(name, options));
        return;
      case "gauge":
        this.gauges.set(name, this.meter.createGauge(name, options));
        return;
      case "histogram":
        this.histograms.set(
          name,
          this.meter.createHistogram(name, {
            ...options,
            advice: { explicitBucketBoundaries: this.buckets },
          }),
        );
        return;
    }
  }

  /**
   * A name the table does not define for this kind (a newer caller, a misuse): it is still
   * recorded — nothing is dropped — under an instrument made on first use.
   */
  private late(name: string, kind: "counter"): Counter;
  private late(name: string, kind: "gauge"): Gauge;
  private late(name: string, kind: "histogram"): Histogram;
  private late(name: string, kind: MetricKind): Counter | Gauge | Histogram {
    const unit = kind === "histogram" ? "ms" : "1";
    this.create(name, { kind, unit, description: "", labels: [] });
    const made = kind === "counter" ? this.counters : kind === "gauge" ? this.gauges : this.histograms;
    return made.get(name)!;
  }
}

function validBuckets(buckets: readonly number[]): number[] {
  const ok =
    Array.isArray(buckets) &&
    buckets.length > 0 &&
    buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > buckets[i - 1]!));
  if (!ok) {
    throw new KytosEventsError(
      ErrorCode.ConfigInvalid,
      `OtelMetrics: latencyBucketsMs must be finite numbers in ascending order, got ${JSON.stringify(buckets)}.`,
    );
  }
  return [...buckets];
}
