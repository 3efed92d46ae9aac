// Tracing across the in-memory transport, with the OpenTelemetry SDK's in-memory exporter: the
// real producer and consumer, linked by the W3C trace context the hooks put in record headers.

import { type Consumer, createConsumer } from "@kytos-events/consumer";
import {
  createMemoryBroker,
  createMemoryTransport,
  ErrorCode,
  type MemoryBroker,
  Router,
} from "@kytos-events/core";
import { createProducer, type Producer } from "@kytos-events/producer";
import { linkId } from "@kytos-events/schema/fixtures";
import { propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOtelTracing } from "./otel-tracing.js";
import { parentSpanId, type TracingHarness, tracingHarness, waitFor } from "./test-support.js";
import { W3CTraceContextPropagator } from "./w3c-trace-context.js";

const linkDown = { link: { id: linkId }, reason: "liveness down" };
const fast = { initialDelayMs: 1, maxDelayMs: 10 };
/** Only the NApp destination: one record per event, so the publish span names its destination. */
const nappOnly = { verboseDestination: false, statusDestination: false, partitions: 1 } as const;

let h: TracingHarness;
const closers: (() => Promise<unknown>)[] = [];

beforeEach(() => {
  h = tracingHarness();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await h.close();
});

async function pipeline(
  routing: ConstructorParameters<typeof Router>[0] = nappOnly,
  destination = "kytos.topology",
  lane: { buffer?: { maxEvents: number; overflow: "drop-newest" } } = {},
): Promise<{ producer: Producer; consumer: Consumer; broker: MemoryBroker }> {
  const broker = createMemoryBroker();
  await createMemoryTransport({ broker }).ensureDestinations(new Router(routing).destinationSpecs());
  const producer = createProducer({
    source: "ctl-1",
    lanes: [{ name: "mem", transport: createMemoryTransport({ broker }), routing, ...lane }],
    retry: fast,
    onPublish: h.tracing.onPublish,
  });
  const consumer = createConsumer({
    transport: createMemoryTransport({ broker }),
    group: "app",
    destinations: [destination],
    from: "beginning",
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
    aroundHandler: h.tracing.aroundHandler,
  });
  closers.push(
    () => producer.close(),
    () => consumer.stop({ timeoutMs: 1000 }),
  );
  return { producer, consumer, broker };
}

describe("tracing on the memory transport", () => {
  it("makes the process span a child of the publish span: same trace, parent id = publish span id", async () => {
    const { producer, consumer } = await pipeline();
    consumer.on("kytos/topology.link_down", () => {});
    await consumer.start();
    const receipt = producer.publish("kytos/topology.link_down", linkDown);
    await waitFor(() => h.spans("process kytos.topology").length === 1, 5000, "the process span");
    const publish = h.span("send kytos.topology");
    const processed = h.span("process kytos.topology");
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(processed.kind).toBe(SpanKind.CONSUMER);
    expect(processed.spanContext().traceId).toBe(publish.spanContext().traceId);
    expect(parentSpanId(processed)).toBe(publish.spanContext().spanId);
    // The conventions' link to the creation context, beside the parent.
    expect(processed.links.map((l) => l.context.spanId)).toEqual([publish.spanContext().spanId]);
    expect(publish.attributes).toEqual({
      "messaging.system": "kytos_events.memory",
      "messaging.operation.name": "send",
      "messaging.operation.type": "send",
      "messaging.destination.name": "kytos.topology",
      "messaging.message.id": receipt.id,
      "kytos_events.event.type": "kytos/topology.link_down",
      "kytos_events.lane": "mem",
      "kytos_events.delivery.status": "delivered",
    });
    expect(processed.attributes).toMatchObject({
      "messaging.system": "kytos_events.memory",
      "messaging.operation.name": "process",
      "messaging.operation.type": "process",
      "messaging.destination.name": "kytos.topology",
      "messaging.message.id": receipt.id,
      "messaging.consumer.group.name": "app",
      "kytos_events.event.type": "kytos/topology.link_down",
      "kytos_events.attempt": 1,
    });
    expect(processed.attributes["messaging.message.body.size"]).toBeGreaterThan(0);
    expect(publish.status.code).toBe(SpanStatusCode.UNSET);
    expect(processed.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("parents the publish span on the caller's active span, and the handler's spans on the process span", async () => {
    const { producer, consumer } = await pipeline();
    const tracer = h.provider.getTracer("app");
    let handlerSpanParent: string | undefined;
    consumer.on("kytos/topology.link_down", () => {
      const inner = tracer.startSpan("write to db");
      handlerSpanParent = trace.getActiveSpan()?.spanContext().spanId;
      inner.end();
    });
    await consumer.start();
    tracer.startActiveSpan("POST /events", (request) => {
      producer.publish("kytos/topology.link_down", linkDown);
      request.end();
    });
    await waitFor(() => h.spans("write to db").length === 1, 5000, "the handler's span");
    const request = h.span("POST /events");
    const publish = h.span("send kytos.topology");
    const processed = h.span("process kytos.topology");
    const inner = h.span("write to db");
    expect(parentSpanId(publish)).toBe(request.spanContext().spanId);
    expect(parentSpanId(processed)).toBe(publish.spanContext().spanId);
    expect(handlerSpanParent).toBe(processed.spanContext().spanId);
    expect(parentSpanId(inner)).toBe(processed.spanContext().spanId);
    const traces = new Set([request, publish, processed, inner].map((s) => s.spanContext().traceId));
    expect(traces.size).toBe(1);
  });

  it("marks a failing run's process span ERROR with the exception; the retry's span has the same parent", async () => {
    const { producer, consumer } = await pipeline();
    let runs = 0;
    consumer.on("kytos/topology.link_down", () => {
      if (++runs === 1) throw new Error("database away");
    });
    await consumer.start();
    producer.publish("kytos/topology.link_down", linkDown);
    await waitFor(() => consumer.stats().handled === 1, 5000, "the event handled on its second attempt");
    await waitFor(() => h.spans("process kytos.topology").length === 2, 5000, "two process spans");
    const publish = h.span("send kytos.topology");
    const [failed, succeeded] = h.spans("process kytos.topology");
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: "database away" });
    expect(failed!.attributes).toMatchObject({ "error.type": "Error", "kytos_events.attempt": 1 });
    expect(failed!.events.map((e) => e.name)).toEqual(["exception"]);
    expect(succeeded!.status.code).toBe(SpanStatusCode.UNSET);
    expect(succeeded!.attributes["kytos_events.attempt"]).toBe(2);
    for (const span of [failed!, succeeded!]) expect(parentSpanId(span)).toBe(publish.spanContext().spanId);
  });

  it("ends a publish span whose event was dropped with ERROR and the drop reason", async () => {
    const { producer, broker } = await pipeline(nappOnly, "kytos.topology", {
      buffer: { maxEvents: 1, overflow: "drop-newest" },
    });
    await producer.ready();
    broker.setAvailable(false);
    producer.publish("kytos/topology.link_down", linkDown);
    const dropped = producer.publish("kytos/topology.link_down", linkDown);
    await dropped.durable;
    const [span] = h.spans("send kytos.topology");
    expect(span!.attributes).toMatchObject({
      "messaging.message.id": dropped.id,
      "kytos_events.delivery.status": "dropped",
      "error.type": "overflow-newest",
    });
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    broker.setAvailable(true);
  });

  it("a publish span over several destinations names none and lists them; each destination's process span is its child", async () => {
    const routing = { partitions: 1, statusPartitions: 1 } as const;
    const { producer, consumer } = await pipeline(routing, "kytos.events");
    consumer.on("kytos/topology.link_down", () => {});
    await consumer.start();
    producer.publish("kytos/topology.link_down", linkDown);
    await waitFor(() => h.spans("process kytos.events").length === 1, 5000, "the process span");
    const publish = h.span("send");
    expect(publish.attributes["messaging.destination.name"]).toBeUndefined();
    expect(publish.attributes["kytos_events.destinations"]).toEqual([
      "kytos.topology",
      "kytos.events",
      "kytos.status.link",
    ]);
    expect(parentSpanId(h.span("process kytos.events"))).toBe(publish.spanContext().spanId);
  });

  it("without trace context in the headers the process span is a root span, whatever was active at start()", async () => {
    const broker = createMemoryBroker();
    const routing = nappOnly;
    await createMemoryTransport({ broker }).ensureDestinations(new Router(routing).destinationSpecs());
    // A producer without the hook: records carry no traceparent.
    const producer = createProducer({
      source: "ctl-1",
      lanes: [{ name: "mem", transport: createMemoryTransport({ broker }), routing }],
    });
    const consumer = createConsumer({
      transport: createMemoryTransport({ broker }),
      group: "app",
      destinations: ["kytos.topology"],
      from: "beginning",
      aroundHandler: h.tracing.aroundHandler,
    }).on("kytos/topology.link_down", () => {});
    closers.push(
      () => producer.close(),
      () => consumer.stop({ timeoutMs: 1000 }),
    );
    await h.provider.getTracer("app").startActiveSpan("startup", async (startup) => {
      await consumer.start();
      startup.end();
    });
    producer.publish("kytos/topology.link_down", linkDown);
    await waitFor(() => h.spans("process kytos.topology").length === 1, 5000, "the process span");
    const processed = h.span("process kytos.topology");
    expect(parentSpanId(processed)).toBeUndefined();
    expect(processed.links).toEqual([]);
    expect(processed.spanContext().traceId).not.toBe(h.span("startup").spanContext().traceId);
  });
});

describe("createOtelTracing", () => {
  it("refuses a tracer provider or propagator that is not one", () => {
    expect(() => createOtelTracing({ tracerProvider: {} as never })).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
    expect(() => createOtelTracing({ propagator: { inject: () => {} } as never })).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
  });

  it("uses the propagator it is given (here the global API, with the W3C propagator registered) for both ends", async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const tracing = createOtelTracing({ tracerProvider: h.provider, propagator: propagation });
    const broker = createMemoryBroker();
    const routing = nappOnly;
    await createMemoryTransport({ broker }).ensureDestinations(new Router(routing).destinationSpecs());
    const producer = createProducer({
      source: "ctl-1",
      lanes: [{ name: "mem", transport: createMemoryTransport({ broker }), routing }],
      onPublish: tracing.onPublish,
    });
    closers.push(
      () => producer.close(),
      async () => propagation.disable(),
    );
    await producer.publish("kytos/topology.link_down", linkDown).durable;
    const [record] = broker.records("kytos.topology");
    const publish = h.span("send kytos.topology");
    expect(record!.headers.traceparent).toBe(
      `00-${publish.spanContext().traceId}-${publish.spanContext().spanId}-01`,
    );
  });

  it("a propagator that throws never stops an event: the handler runs untraced, once, and the event is handled", async () => {
    const broken = {
      inject: () => {},
      extract: () => {
        throw new Error("propagator broke");
      },
      fields: () => [],
    };
    const tracing = createOtelTracing({ tracerProvider: h.provider, propagator: broken });
    const broker = createMemoryBroker();
    const routing = nappOnly;
    await createMemoryTransport({ broker }).ensureDestinations(new Router(routing).destinationSpecs());
    const producer = createProducer({
      source: "ctl-1",
      lanes: [{ name: "mem", transport: createMemoryTransport({ broker }), routing }],
    });
    let runs = 0;
    const consumer = createConsumer({
      transport: createMemoryTransport({ broker }),
      group: "app",
      destinations: ["kytos.topology"],
      from: "beginning",
      aroundHandler: tracing.aroundHandler,
    }).on("kytos/topology.link_down", () => {
      runs++;
    });
    closers.push(
      () => producer.close(),
      () => consumer.stop({ timeoutMs: 1000 }),
    );
    await consumer.start();
    producer.publish("kytos/topology.link_down", linkDown);
    await waitFor(() => consumer.stats().handled === 1, 5000, "the event handled");
    expect(runs).toBe(1);
    expect(h.spans("process kytos.topology")).toEqual([]);
  });
});
