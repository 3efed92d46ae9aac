// The core `Metrics` sink on prom-client. Every metric of `metricDefinitions` is created up
// front with all its label names, so a scrape shows HELP and TYPE for each from the start and
// a series appears once it is first recorded. A call that cannot be recorded (a label the
// definition does not list, a name it does not know) is reported through `onError`, never
// thrown into the producer or consumer that made it.
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
import {
  Counter,
  Gauge,
  Histogram,
  type OpenMetricsContentType,
  type PrometheusContentType,
  Registry,
} from "prom-client";
import { DEFAULT_LATENCY_BUCKETS_MS } from "./buckets.js";
import { prometheusName } from "./prometheus-name.js";

/** A prom-client registry of either exposition format (text 0.0.4 or OpenMetrics). */
export type AnyRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

export interface PrometheusMetricsOptions {
  /**
   * Where the metrics are registered. Default: a new `Registry` (text format 0.0.4). Pass
   * prom-client's global `register`, or your application's registry, to expose them beside
   * your own metrics (its default labels apply to ours too).
   */
  readonly registry?: AnyRegistry;
  /** Bucket upper bounds of every histogram, in ms. Default `DEFAULT_LATENCY_BUCKETS_MS` (0.5 ms to 60 s). */
  readonly buckets?: readonly number[];
  /** Buckets of one histogram, by kytos-events metric name; over `buckets`. */
  readonly bucketsByMetric?: Partial<Record<MetricName, readonly number[]>>;
  /**
   * Told about a call that could not be recorded. Default: one process warning per metric
   * name (`process.emitWarning`), so a wrong label is seen once, not on every event.
   */
  readonly onError?: (error: Error, metric: string) => void;
}

type Instrument =
  | { readonly kind: "counter"; readonly metric: Counter }
  | { readonly kind: "gauge"; readonly metric: Gauge }
  | { readonly kind: "histogram"; readonly metric: Histogram };

export class PrometheusMetrics implements Metrics {
  readonly registry: AnyRegistry;
  private readonly instruments = new Map<string, Instrument>();
  private readonly onError: (error: Error, metric: string) => void;

  /** Registers every kytos-events metric; throws KE_CONFIG_INVALID if one of their names is already registered there. */
  constructor(options: PrometheusMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.onError = options.onError ?? warnOncePerMetric();
    const definitions = Object.entries(metricDefinitions) as [MetricName, MetricDefinition][];
    const taken = definitions
      .map(([name, d]) => prometheusName(name, d.kind))
      .filter((name) => this.registry.getSingleMetric(name) !== undefined);
    if (taken.length > 0) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `prometheus: ${taken.join(", ")} already registered on this registry: one PrometheusMetrics per registry ` +
          "(share that instance between producer and consumer).",
      );
    }
    for (const [name, definition] of definitions) {
      const buckets = options.bucketsByMetric?.[name] ?? options.buckets ?? DEFAULT_LATENCY_BUCKETS_MS;
      this.instruments.set(name, this.create(name, definition, buckets));
    }
  }

  count(name: MetricName, value = 1, labels?: MetricLabels): void {
    const i = this.instrument(name, "counter");
    if (i?.kind !== "counter") return;
    try {
      if (labels) i.metric.inc(labels, value);
      else i.metric.inc(value);
    } catch (err) {
      this.onError(err as Error, name);
    }
  }

  gauge(name: MetricName, value: number, labels?: MetricLabels): void {
    const i = this.instrument(name, "gauge");
    if (i?.kind !== "gauge") return;
    try {
      if (labels) i.metric.set(labels, value);
      else i.metric.set(value);
    } catch (err) {
      this.onError(err as Error, name);
    }
  }

  observe(name: MetricName, value: number, labels?: MetricLabels): void {
    const i = this.instrument(name, "histogram");
    if (i?.kind !== "histogram") return;
    try {
      if (labels) i.metric.observe(labels, value);
      else i.metric.observe(value);
    } catch (err) {
      this.onError(err as Error, name);
    }
  }

  /** The exposition text of the whole registry (what a scrape returns). */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  private instrument(name: MetricName, kind: MetricKind): Instrument | undefined {
    const i = this.instruments.get(name);
    if (i?.kind === kind) return i;
    const what = i ? `a ${i.kind}, used as a ${kind}` : "not a kytos-events metric";
    this.onError(new KytosEventsError(ErrorCode.ConfigInvalid, `prometheus: ${name} is ${what}.`), name);
    return undefined;
  }

  private create(name: MetricName, d: MetricDefinition, buckets: readonly number[]): Instrument {
    const config = {
      name: prometheusName(name, d.kind),
      help: `${d.description} (${d.unit})`,
      labelNames: [...d.labels],
      registers: [this.registry],
    };
    switch (d.kind) {
      case "counter":
        return { kind: "counter", metric: new Counter(config) };
      case "gauge":
        return { kind: "gauge", metric: new Gauge(config) };
      case "histogram":
        return { kind: "histogram", metric: new Histogram({ ...config, buckets: [...buckets] }) };
    }
  }
}

function warnOncePerMetric(): (error: Error, metric: string) => void {
  const warned = new Set<string>();
  return (error, metric) => {
    if (warned.has(metric)) return;
    warned.add(metric);
    process.emitWarning(`kytos-events metric ${metric} not recorded: ${error.message}`, "KytosEventsMetrics");
  };
}
