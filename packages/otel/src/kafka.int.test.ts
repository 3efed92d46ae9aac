// Tracing across a real Kafka: the real producer (kafka transport, onPublish) and consumer
// (aroundHandler) with the OpenTelemetry SDK's in-memory exporter. Every event's process span is
// the child of its publish span — the W3C trace context crossed the broker in record headers.
import { randomUUID } from "node:crypto";
import { type Consumer, createConsumer } from "@kytos-events/consumer";
import { createKafkaTransport } from "@kytos-events/kafka";
import { createProducer, type Producer } from "@kytos-events/producer";
import { trace } from "@opentelemetry/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  expectLinkedSpans,
  parentSpanId,
  type TracingHarness,
  tracingHarness,
  waitFor,
} from "./test-support.js";

const N = 20;
let h: TracingHarness;
const closers: (() => Promise<unknown>)[] = [];

beforeEach(() => {
  h = tracingHarness();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await h.close();
});

describe("tracing across Kafka", () => {
  it("makes each event's process span the child of its publish span, with the messaging attributes", async () => {
    const brokers = process.env.KAFKA_BROKERS!;
    const run = `otel-${randomUUID().slice(0, 8)}`;
    // Only the NApp topic, one partition: one record per event, so the publish span names its topic.
    const routing = {
      nappDestination: `${run}.{topic}`,
      verboseDestination: false,
      statusDestination: false,
      partitions: 1,
    } as const;
    const topic = `${run}.kytos.topology`;
    const producer: Producer = createProducer({
      source: "ctl-otel",
      lanes: [{ name: "kafka", transport: createKafkaTransport({ brokers }), routing }],
      onPublish: h.tracing.onPublish,
    });
    closers.push(() => producer.close());
    await producer.ready({ timeoutMs: 60_000 });
    const consumerTransport = createKafkaTransport({ brokers });
    const activeInHandler: (string | undefined)[] = [];
    const consumer: Consumer = createConsumer({
      transport: consumerTransport,
      group: `g-${run}`,
      destinations: [topic],
      from: "beginning",
      aroundHandler: h.tracing.aroundHandler,
    }).on("kytos/topology.link_down", () => {
      activeInHandler.push(trace.getActiveSpan()?.spanContext().spanId);
      h.provider.getTracer("app").startSpan("handler work").end();
    });
    closers.push(
      () => consumerTransport.close(),
      () => consumer.stop({ timeoutMs: 5000 }),
    );
    await consumer.start();

    const ids: string[] = [];
    await h.provider.getTracer("app").startActiveSpan("controller event batch", async (batch) => {
      for (let i = 0; i < N; i++) {
        ids.push(
          producer.publish("kytos/topology.link_down", { link: { id: `link-${i}` }, reason: "test" }).id,
        );
      }
      batch.end();
    });
    await waitFor(() => consumer.stats().handled === N, 60_000, `${N} events handled`);
    await waitFor(() => h.spans(`process ${topic}`).length >= N, 10_000, `${N} process spans`);

    expectLinkedSpans(h, ids, {
      system: "kafka",
      sendDestination: topic,
      processDestination: topic,
      group: `g-${run}`,
    });
    const publishes = h.spans(`send ${topic}`);
    expect(publishes).toHaveLength(N);
    const batch = h.span("controller event batch");
    for (const p of publishes) {
      expect(parentSpanId(p)).toBe(batch.spanContext().spanId);
      expect(p.attributes["messaging.kafka.message.key"]).toMatch(/^link-\d+$/);
    }
    // Handlers run with their process span active, so their own spans hang under it.
    const processIds = new Set(h.spans(`process ${topic}`).map((s) => s.spanContext().spanId));
    expect(activeInHandler).toHaveLength(N);
    expect(activeInHandler.every((id) => id !== undefined && processIds.has(id))).toBe(true);
    expect(h.spans("handler work").every((s) => processIds.has(parentSpanId(s) ?? ""))).toBe(true);
  });
});
