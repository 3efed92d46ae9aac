// Test helpers (not part of the package API): an in-memory OpenTelemetry tracing pipeline with
// an AsyncLocalStorage context manager, and lookups of finished spans by name.

import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createOtelTracing, type OtelTracingOptions } from "./otel-tracing.js";

export interface TracingHarness {
  readonly exporter: InMemorySpanExporter;
  readonly provider: BasicTracerProvider;
  readonly tracing: ReturnType<typeof createOtelTracing>;
  /** Finished spans with this name. */
  spans(name: string): ReadableSpan[];
  /** The one finished span with this name (fails when there are none or several). */
  span(name: string): ReadableSpan;
  close(): Promise<void>;
}

export function tracingHarness(options: Omit<OtelTracingOptions, "tracerProvider"> = {}): TracingHarness {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
  return {
    exporter,
    provider,
    tracing: createOtelTracing({ ...options, tracerProvider: provider }),
    spans,
    span(name) {
      const found = spans(name);
      if (found.length !== 1) {
        const all = exporter.getFinishedSpans().map((s) => s.name);
        throw new Error(`expected one span "${name}", found ${found.length} among [${all.join(", ")}]`);
      }
      return found[0]!;
    },
    async close() {
      await provider.shutdown();
      context.disable();
      trace.disable();
    },
  };
}

/** The parent span id a finished span records (the SDK 2.x field). */
export function parentSpanId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Checks the promise of the tracing hooks for events that crossed a broker: each event has one
 * publish span and a process span whose parent is that publish span, in the same trace, with
 * the conventions' attributes for `system`.
 */
export function expectLinkedSpans(
  h: TracingHarness,
  ids: readonly string[],
  expected: { system: string; sendDestination: string; processDestination: string; group: string },
): void {
  const byId = (name: string) =>
    new Map(h.spans(name).map((s) => [s.attributes["messaging.message.id"] as string, s]));
  const published = byId(`send ${expected.sendDestination}`);
  const processed = byId(`process ${expected.processDestination}`);
  for (const id of ids) {
    const publish = published.get(id);
    const processSpan = processed.get(id);
    if (!publish || !processSpan)
      throw new Error(`event ${id}: publish span ${!!publish}, process span ${!!processSpan}`);
    if (processSpan.spanContext().traceId !== publish.spanContext().traceId) {
      throw new Error(
        `event ${id}: process span in trace ${processSpan.spanContext().traceId}, publish span in ${publish.spanContext().traceId}`,
      );
    }
    if (parentSpanId(processSpan) !== publish.spanContext().spanId) {
      throw new Error(
        `event ${id}: process span's parent ${parentSpanId(processSpan)} is not the publish span ${publish.spanContext().spanId}`,
      );
    }
    const common = { "messaging.system": expected.system, "messaging.message.id": id };
    const publishAttributes = {
      ...common,
      "messaging.operation.type": "send",
      "messaging.destination.name": expected.sendDestination,
      "kytos_events.delivery.status": "delivered",
    };
    const processAttributes = {
      ...common,
      "messaging.operation.type": "process",
      "messaging.destination.name": expected.processDestination,
      "messaging.consumer.group.name": expected.group,
    };
    for (const [span, want] of [
      [publish, publishAttributes],
      [processSpan, processAttributes],
    ] as const) {
      for (const [key, value] of Object.entries(want)) {
        if (span.attributes[key] !== value)
          throw new Error(
            `event ${id}: ${span.name} has ${key}=${String(span.attributes[key])}, expected ${value}`,
          );
      }
    }
  }
}
