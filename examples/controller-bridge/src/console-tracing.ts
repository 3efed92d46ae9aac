// `--otel-console` / OTEL_TRACES=console: OpenTelemetry tracing through @kytos-events/otel,
// each finished span printed to stdout by the SDK's ConsoleSpanExporter. Each event published
// is a `send` span per lane (ended when the broker acknowledged it, or it was dropped), its
// context written to the records' `traceparent` header, so a consumer's `process` span (BAPM's
// `--otel-console`) joins the same trace. For looking at traces by eye; a deployment would
// register its own exporter (OTLP) instead.
import { createOtelTracing, type OtelTracing } from "@kytos-events/otel";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

export interface ConsoleTracing {
  readonly tracing: OtelTracing;
  /** Flushes and stops the exporter. */
  close(): Promise<void>;
}

export function startConsoleTracing(): ConsoleTracing {
  // The span active where an event is published (an HTTP request's, once instrumented) becomes
  // the send span's parent only with a context manager.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Simple, not batched: a span is printed when it ends, so none is lost at a signal.
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
  });
  return { tracing: createOtelTracing({ tracerProvider: provider }), close: () => provider.shutdown() };
}
