// `--otel-console` / OTEL_TRACES=console: OpenTelemetry tracing through @kytos-events/otel,
// each finished span printed to stdout by the SDK's ConsoleSpanExporter. Each handler run is a
// `process <destination>` span whose parent is the controller side's `send` span (from the
// record's traceparent header), so a trace can be followed from the bridge into BAPM. For
// looking at traces by eye; a deployment would register its own exporter (OTLP) instead.
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
  // Spans the handlers start become children of the process span only with a context manager.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Simple, not batched: a span is printed when it ends, so none is lost at a signal.
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
  });
  return { tracing: createOtelTracing({ tracerProvider: provider }), close: () => provider.shutdown() };
}
