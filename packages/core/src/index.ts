// Public API of @kytos-events/core: the transport-neutral layer producers, consumers and
// transports share.

export { ErrorCode, isKytosEventsError, KytosEventsError } from "@kytos-events/schema";
export type {
  DropReason,
  OutageBufferConfig,
  OutageBufferHooks,
  OverflowPolicy,
} from "./buffer/outage-buffer.js";
export { OutageBuffer } from "./buffer/outage-buffer.js";
export type {
  DecodedEvent,
  DecodeFailure,
  DecodeFailureReason,
  DecodeResult,
  DecodeSuccess,
} from "./codec/decode-result.js";
export type { EncodedEnvelope, WireFormat } from "./codec/envelope-codec.js";
export { ContentType, decodeEnvelope, encodeEnvelope } from "./codec/envelope-codec.js";
export type { EnvelopeInput } from "./envelope/create-envelope.js";
export { createEnvelope } from "./envelope/create-envelope.js";
export { SequenceCounter } from "./envelope/sequence-counter.js";
export { uuidv7, uuidv7Time } from "./envelope/uuid-v7.js";
export type { EventFilterConfig, FilterPattern } from "./filtering/event-filter.js";
export { EventFilter } from "./filtering/event-filter.js";
export type { IdempotencyStore, SyncIdempotencyStore } from "./idempotency/idempotency-store.js";
export { isSyncIdempotencyStore } from "./idempotency/idempotency-store.js";
export type { MemoryIdempotencyStoreConfig } from "./idempotency/memory-idempotency-store.js";
export { MemoryIdempotencyStore } from "./idempotency/memory-idempotency-store.js";
export type { LogFields, Logger } from "./logger.js";
export { silentLogger } from "./logger.js";
export type { MemoryBrokerOptions, MemoryDestinationStats } from "./memory/memory-broker.js";
export { MemoryBroker } from "./memory/memory-broker.js";
export type { MemoryTransportOptions } from "./memory/memory-transport.js";
export { createMemoryBroker, createMemoryTransport, MemoryTransport } from "./memory/memory-transport.js";
export type { MetricDefinition, MetricKind, MetricLabels, Metrics } from "./metrics/metrics.js";
export { MetricName, metricDefinitions, noopMetrics } from "./metrics/metrics.js";
export type { HistogramSummary, MetricsSnapshot } from "./metrics/recording-metrics.js";
export { RecordingMetrics } from "./metrics/recording-metrics.js";
export type { BackoffConfig, Jitter } from "./retry/backoff-policy.js";
export { BackoffPolicy } from "./retry/backoff-policy.js";
export type { RetryRunOptions } from "./retry/with-retry.js";
export { isRetriable, sleep, withRetry } from "./retry/with-retry.js";
export type { PipelineConfig } from "./routing/pipeline.js";
export { Pipeline, ReloadablePipeline } from "./routing/pipeline.js";
export type { Fanout, RoutingConfig } from "./routing/router.js";
export { Router } from "./routing/router.js";
export { OffsetTracker } from "./tracking/offset-tracker.js";
export { Header } from "./transport/headers.js";
export { SendError } from "./transport/send-error.js";
export { isTlsFailureCode } from "./transport/tls-failure.js";
export type {
  CloseReport,
  DestinationSpec,
  InboundRecord,
  OutboundRecord,
  Position,
  RetryOptions,
  SendFailure,
  SendOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportCapabilities,
} from "./transport/transport.js";
