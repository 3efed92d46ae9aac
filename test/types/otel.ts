// @kytos-events/otel as an application wires it: the tracing hooks fit the producer's
// `onPublish` and the consumer's `aroundHandler` options exactly, and OtelMetrics is a core
// `Metrics`. The hooks' shapes are declared in each package separately; this file fails to
// compile if they drift apart.
import { type AroundHandler, createConsumer } from "@kytos-events/consumer";
import { createMemoryTransport, type Metrics } from "@kytos-events/core";
import { createOtelTracing, OtelMetrics, type OtelTracing } from "@kytos-events/otel";
import { createProducer, type PublishHook } from "@kytos-events/producer";
import { metrics, trace } from "@opentelemetry/api";

const tracing: OtelTracing = createOtelTracing({ tracerProvider: trace.getTracerProvider() });
const otelMetrics: Metrics = new OtelMetrics(metrics.getMeter("type-tests"), { latencyBucketsMs: [1, 10] });

export const onPublish: PublishHook = tracing.onPublish;
export const aroundHandler: AroundHandler = tracing.aroundHandler;

createProducer({
  source: "ctl-1",
  lanes: [{ name: "memory", transport: createMemoryTransport() }],
  metrics: otelMetrics,
  onPublish: tracing.onPublish,
});
createConsumer({
  transport: createMemoryTransport(),
  group: "type-tests",
  metrics: otelMetrics,
  aroundHandler: tracing.aroundHandler,
});

// @ts-expect-error a Tracer is not a Meter
new OtelMetrics(trace.getTracer("type-tests"));
// @ts-expect-error the consumer's hook does not fit the producer's option
createProducer({ source: "ctl-1", lanes: [], onPublish: tracing.aroundHandler });
