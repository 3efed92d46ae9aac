// Observability hooks: counters, gauges and latency histograms under stable names. Core
// depends on no metrics library; an OpenTelemetry or Prometheus adapter implements `Metrics`
// in a few lines, creating its instruments up front from `metricDefinitions` (kind, unit,
// label names). The default records nothing.

export const MetricName = {
  /** Events accepted by `publish` (passed the filter, entered a lane's buffer). */
  Published: "kytos_events.publish.events",
  /** Events a filter stopped. */
  Filtered: "kytos_events.publish.filtered",
  /** Events lost on the producer side, by `reason` (see metricDefinitions). */
  Dropped: "kytos_events.publish.dropped",
  /** Events waiting in an outage buffer. */
  BufferDepth: "kytos_events.buffer.depth",
  /** Bytes waiting in an outage buffer. */
  BufferBytes: "kytos_events.buffer.bytes",
  /** Records the broker durably accepted. */
  Sent: "kytos_events.send.records",
  /** Time from publish to the broker's acknowledgement, ms. */
  SendLatency: "kytos_events.send.latency_ms",
  /** Records delivered to a consumer. */
  Consumed: "kytos_events.consume.records",
  /** Handler run time, ms. */
  HandlerDuration: "kytos_events.handler.duration_ms",
  /** Settlements that let the committed position move (acks, commits). */
  Commits: "kytos_events.consume.commits",
  /** Records copied to a dead-letter destination. */
  DeadLetters: "kytos_events.consume.dead_letters",
  /** Another try of a failed operation. */
  Retries: "kytos_events.retries",
  /** Redeliveries the idempotency store recognised and skipped. */
  Duplicates: "kytos_events.consume.duplicates",
  /** Records of a partition (or queue) this consumer group has not yet handled, as a subscriber sees them. */
  ConsumerLag: "kytos_events.consume.lag",
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export type MetricKind = "counter" | "gauge" | "histogram";

export interface MetricDefinition {
  readonly kind: MetricKind;
  /** UCUM-style unit as OpenTelemetry expects: "{event}", "By", "ms". */
  readonly unit: string;
  readonly description: string;
  /** Every label a producer of this metric may set; adapters that declare labels up front (Prometheus) use this list. */
  readonly labels: readonly string[];
}

/**
 * What each metric is. Labels, with their values:
 * - `lane`: a producer's transport lane name (one per transport in a hybrid fan-out);
 * - `event`: the controller event name (a finite registry set);
 * - `destination`: a routed destination name (per-NApp, verbose, status);
 * - `reason` of Dropped: overflow-oldest, overflow-newest, wait-timeout, closed (the outage
 *   buffer's reasons), rejected (the broker refused the record for good). Filtered events
 *   count under Filtered, not here;
 * - `operation` of Retries: send, connect, handler, store;
 * - `partition` of ConsumerLag: the partition number as a string; "0" for a transport
 *   without partitions (a RabbitMQ queue). Each transport states how it measures lag.
 */
export const metricDefinitions: Readonly<Record<MetricName, MetricDefinition>> = {
  [MetricName.Published]: counter("{event}", "events accepted by publish", ["lane", "event"]),
  [MetricName.Filtered]: counter("{event}", "events stopped by a filter", ["lane", "event"]),
  [MetricName.Dropped]: counter("{event}", "events lost on the producer side", ["lane", "reason"]),
  [MetricName.BufferDepth]: gauge("{event}", "events waiting in an outage buffer", ["lane"]),
  [MetricName.BufferBytes]: gauge("By", "bytes waiting in an outage buffer", ["lane"]),
  [MetricName.Sent]: counter("{record}", "records durably accepted by the broker", ["lane", "destination"]),
  [MetricName.SendLatency]: histogram("publish to broker acknowledgement", ["lane"]),
  [MetricName.Consumed]: counter("{record}", "records delivered to a consumer", ["destination", "event"]),
  [MetricName.HandlerDuration]: histogram("handler run time", ["event"]),
  [MetricName.Commits]: counter("{commit}", "settlements that moved a position", ["destination"]),
  [MetricName.DeadLetters]: counter("{record}", "records dead-lettered", ["destination", "event"]),
  [MetricName.Retries]: counter("{retry}", "further tries of a failed operation", ["operation"]),
  [MetricName.Duplicates]: counter("{record}", "redeliveries skipped as already handled", ["event"]),
  [MetricName.ConsumerLag]: gauge("{record}", "records not yet handled by the consumer group", [
    "destination",
    "partition",
  ]),
};

export type MetricLabels = Readonly<Record<string, string>>;

/** The sink every package reports to. Implementations must be cheap and must not throw. */
export interface Metrics {
  /** Adds `value` (default 1) to a counter. */
  count(name: MetricName, value?: number, labels?: MetricLabels): void;
  /** Sets a gauge to its current value. */
  gauge(name: MetricName, value: number, labels?: MetricLabels): void;
  /** Records one sample of a histogram (latencies in ms). */
  observe(name: MetricName, value: number, labels?: MetricLabels): void;
}

const noop = (): void => {};
/** The default: records nothing, costs a call. */
export const noopMetrics: Metrics = { count: noop, gauge: noop, observe: noop };

function counter(unit: string, description: string, labels: readonly string[]): MetricDefinition {
  return { kind: "counter", unit, description, labels };
}

function gauge(unit: string, description: string, labels: readonly string[]): MetricDefinition {
  return { kind: "gauge", unit, description, labels };
}

function histogram(description: string, labels: readonly string[]): MetricDefinition {
  return { kind: "histogram", unit: "ms", description, labels };
}
