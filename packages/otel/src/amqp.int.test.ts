// Tracing across a real RabbitMQ: the real producer (amqp transport, onPublish) and consumer
// (aroundHandler) with the OpenTelemetry SDK's in-memory exporter. The trace context crosses the
// exchange in the message headers, and the verbose queue's copy of an event (the broker fanned
// it out) is processed under the same publish span as the NApp queue's.
import { randomUUID } from "node:crypto";
import { createAmqpTransport } from "@kytos-events/amqp";
import { type Consumer, createConsumer } from "@kytos-events/consumer";
import { Router } from "@kytos-events/core";
import { createProducer, type Producer } from "@kytos-events/producer";
import { afterEach, beforeEach, describe, it } from "vitest";
import { expectLinkedSpans, type TracingHarness, tracingHarness, waitFor } from "./test-support.js";

const N = 20;
const url = () => process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
let h: TracingHarness;
const closers: (() => Promise<unknown>)[] = [];

beforeEach(() => {
  h = tracingHarness();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await h.close();
});

describe("tracing across RabbitMQ", () => {
  it("makes each event's process span on the NApp and on the verbose queue the child of its publish span", async () => {
    const id = randomUUID().slice(0, 8);
    const routing = {
      nappDestination: `otel-${id}.{topic}`,
      verboseDestination: `otel-${id}.events`,
      statusDestination: false,
    } as const;
    const transport = () =>
      createAmqpTransport({ url: url(), exchange: `otel-${id}`, queueExpiresMs: 120_000 });
    const nappQueue = `otel-${id}.kytos.topology`;
    const verboseQueue = `otel-${id}.events`;
    const producer: Producer = createProducer({
      source: "ctl-otel",
      lanes: [{ name: "rabbit", transport: transport(), routing }],
      onPublish: h.tracing.onPublish,
    });
    closers.push(() => producer.close());
    await producer.ready({ timeoutMs: 60_000 });
    // Subscribe before publishing: a group's queue only gets what arrives after it exists.
    const consumers: Consumer[] = [];
    for (const destination of [nappQueue, verboseQueue]) {
      const t = transport();
      await t.ensureDestinations(new Router(routing).destinationSpecs());
      const consumer = createConsumer({
        transport: t,
        group: `g-${id}`,
        destinations: [destination],
        aroundHandler: h.tracing.aroundHandler,
      }).on("kytos/topology.link_down", () => {});
      closers.push(
        () => t.close(),
        () => consumer.stop({ timeoutMs: 5000 }),
      );
      await consumer.start();
      consumers.push(consumer);
    }

    const ids = Array.from(
      { length: N },
      (_, i) =>
        producer.publish("kytos/topology.link_down", { link: { id: `link-${i}` }, reason: "test" }).id,
    );
    await waitFor(
      () => consumers.every((c) => c.stats().handled === N),
      60_000,
      `${N} events handled on both queues`,
    );
    await waitFor(
      () => h.spans(`process ${verboseQueue}`).length >= N && h.spans(`process ${nappQueue}`).length >= N,
      10_000,
      "the process spans",
    );

    // RabbitMQ fans out on the broker: one publish (to the NApp destination), two deliveries.
    const expected = { system: "rabbitmq", sendDestination: nappQueue, group: `g-${id}` };
    expectLinkedSpans(h, ids, { ...expected, processDestination: nappQueue });
    expectLinkedSpans(h, ids, { ...expected, processDestination: verboseQueue });
  });
});
