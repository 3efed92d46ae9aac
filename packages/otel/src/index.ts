// @kytos-events/otel: OpenTelemetry for kytos-events. `OtelMetrics` reports the SDKs' metrics
// through an OTel Meter; `createOtelTracing` links a publish span to the process span of every
// consumer across the broker, by W3C trace context in the record headers.

export type { OtelMetricsOptions } from "./otel-metrics.js";
export { DEFAULT_LATENCY_BUCKETS_MS, OtelMetrics } from "./otel-metrics.js";
export type { OtelTracing, OtelTracingOptions } from "./otel-tracing.js";
export { createOtelTracing, INSTRUMENTATION_NAME } from "./otel-tracing.js";
export type { HandlerRunDescription } from "./process-span.js";
export type { LaneOutcome, PublishedEventInfo, PublishTrace } from "./publish-span.js";
export { W3CTraceContextPropagator } from "./w3c-trace-context.js";
