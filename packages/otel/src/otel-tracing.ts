// Tracing across the broker: `createOtelTracing()` gives the producer's `onPublish` hook and the
// consumer's `aroundHandler` hook. Together they make a publish span (PRODUCER) per event and
// lane, carry its context in the record headers as W3C `traceparent`/`tracestate`, and make the
// consumer's process span (CONSUMER) its child — following the OpenTelemetry messaging
// semantic conventions. The hooks' shapes are declared here structurally, so this package
// depends on neither the producer nor the consumer.
import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import { type TextMapPropagator, type TracerProvider, trace } from "@opentelemetry/api";
import { type HandlerRunDescription, runInProcessSpan } from "./process-span.js";
import { type PublishedEventInfo, type PublishTrace, startPublishSpan } from "./publish-span.js";
import { W3CTraceContextPropagator } from "./w3c-trace-context.js";

/** The tracer's instrumentation scope name. */
export const INSTRUMENTATION_NAME = "@kytos-events/otel";

export interface OtelTracingOptions {
  /** Where spans go. Default: the global provider (`trace.getTracerProvider()`), as registered by the SDK. */
  readonly tracerProvider?: TracerProvider;
  /**
   * How context goes into and out of headers. Default: W3C Trace Context (`traceparent`,
   * `tracestate`), whatever the application registered globally. Pass `propagation` from
   * `@opentelemetry/api` to use the application's propagators instead (e.g. with baggage).
   */
  readonly propagator?: TextMapPropagator;
}

export interface OtelTracing {
  /** For `createProducer({ onPublish })`. */
  readonly onPublish: (event: PublishedEventInfo) => PublishTrace;
  /** For `createConsumer({ aroundHandler })`. */
  readonly aroundHandler: (info: HandlerRunDescription, run: () => Promise<void>) => Promise<void>;
}

export function createOtelTracing(options: OtelTracingOptions = {}): OtelTracing {
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  if (typeof provider?.getTracer !== "function") {
    throw invalid("tracerProvider must be an OpenTelemetry TracerProvider (it has getTracer).");
  }
  const propagator = options.propagator ?? new W3CTraceContextPropagator();
  if (typeof propagator?.inject !== "function" || typeof propagator.extract !== "function") {
    throw invalid("propagator must be an OpenTelemetry TextMapPropagator (inject, extract).");
  }
  const tracer = provider.getTracer(INSTRUMENTATION_NAME);
  return {
    onPublish: (event) => startPublishSpan(tracer, propagator, event),
    aroundHandler: (info, run) => runInProcessSpan(tracer, propagator, info, run),
  };
}

function invalid(message: string): KytosEventsError {
  return new KytosEventsError(ErrorCode.ConfigInvalid, `createOtelTracing: ${message}`);
}
