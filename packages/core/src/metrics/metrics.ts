// Observability hooks: counters, gauges and latency histograms under stable names. Core
// depends on no metrics library; an OpenTelemetry or Prometheus adapter implements `Metrics`
// in a few lines. The default records nothing.

export const MetricName = {
  /** Events accepted by a producer (label `lane`). */
  Published: "kytos_events.publish.events",
  /** Events stopped by a filter. */
  Filtered: "kytos_events.publish.filtered",
  /** Events dropped (label `reason`: overflow-oldest, overflow-newest, wait-timeout, closed, rejected). */
  Dropped: "kytos_events.publish.dropped",
  /** Events waiting in an outage buffer (gauge, label `lane`). */
  BufferDepth: "kytos_events.buffer.depth",
  /** Time from publish to broker acknowledgement, ms (histogram). */
  SendLatency: "kytos_events.send.latency_ms",
  /** Records delivered to a consumer. */
  Consumed: "kytos_events.consume.records",
  /** Handler run time, ms (histogram, label `event`). */
  HandlerDuration: "kytos_events.handler.duration_ms",
  /** Positions committed/acked. */
  Commits: "kytos_events.consume.commits",
  DeadLetters: "kytos_events.consume.dead_letters",
  Retries: "kytos_events.retries",
  /** Redeliveries suppressed by the idempotency store. */
  Duplicates: "kytos_events.consume.duplicates",
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export type MetricLabels = Readonly<Record<string, string>>;

export interface Metrics {
  count(name: MetricName, value?: number, labels?: MetricLabels): void;
  gauge(name: MetricName, value: number, labels?: MetricLabels): void;
  observe(name: MetricName, value: number, labels?: MetricLabels): void;
}

const noop = (): void => {};
export const noopMetrics: Metrics = { count: noop, gauge: noop, observe: noop };
