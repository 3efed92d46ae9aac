// The producer on the real RabbitMQ, where the broker fans out: one publish per event, and the
// exchange's bindings copy it to the verbose queue and to its NApp's queue. The controller's JSON
// fixtures are read back decoded and equal; a RabbitMQ outage (rabbitmqctl stop_app) never
// reaches the publisher, and afterwards every event arrives in order.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { equals } from "@bufbuild/protobuf";
import { createAmqpTransport } from "@kytos-events/amqp";
import { Router, type RoutingConfig } from "@kytos-events/core";
import { fromKytosJson, getEventDescriptor } from "@kytos-events/schema";
import { kytosEventFixtures, linkId } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import { createProducer } from "./producer.js";
import { EnvelopeReader, waitFor } from "./test-support.js";

const run = promisify(execFile);
const url = () => process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const fast = { initialDelayMs: 100, maxDelayMs: 1000 };

/** An exchange and destinations of this test's own; queues expire after the test. */
function setup() {
  const id = randomUUID().slice(0, 8);
  const routing: RoutingConfig = {
    nappDestination: `pt-${id}.{topic}`,
    verboseDestination: `pt-${id}.events`,
    statusDestination: false,
  };
  const transport = () =>
    createAmqpTransport({ url: url(), exchange: `pt-${id}`, reconnect: fast, queueExpiresMs: 120_000 });
  return { id, routing, transport };
}

/** Subscribes before anything is published: AMQP queues only get what arrives after they exist. */
async function subscribe(
  t: ReturnType<ReturnType<typeof setup>["transport"]>,
  routing: RoutingConfig,
  destination: string,
) {
  await t.ensureDestinations(new Router(routing).destinationSpecs());
  return new EnvelopeReader(
    await t.subscribe({ group: `g-${randomUUID().slice(0, 8)}`, destinations: [destination] }),
  );
}

describe("producer on RabbitMQ", () => {
  it("publishes every controller JSON fixture once; the verbose and NApp queues read them back decoded and equal", async () => {
    const { id, routing, transport } = setup();
    const consumer = transport();
    const verbose = await subscribe(consumer, routing, `pt-${id}.events`);
    const topology = await subscribe(consumer, routing, `pt-${id}.kytos.topology`);
    const producer = createProducer({
      source: "ctl-amqp",
      lanes: [{ name: "amqp", transport: transport(), routing }],
    });
    try {
      await producer.ready({ timeoutMs: 30_000 });
      const receipts = kytosEventFixtures.map((f) => producer.publishKytos(f.name, f.content));
      expect((await Promise.all(receipts.map((r) => r.durable))).every((r) => r.ok)).toBe(true);
      await verbose.distinct(kytosEventFixtures.length, 30_000);
      const received = verbose.firstArrivals();
      expect(received.map((e) => e.id)).toEqual(receipts.map((r) => r.id));
      received.forEach((envelope, i) => {
        const fixture = kytosEventFixtures[i]!;
        const schema = getEventDescriptor(fixture.name).schema;
        expect(envelope.type).toBe(fixture.name);
        expect(
          equals(
            schema,
            envelope.payload.value as never,
            fromKytosJson(fixture.name, fixture.content) as never,
          ),
        ).toBe(true);
      });
      const topologyNames = kytosEventFixtures
        .filter((f) => f.name.startsWith("kytos/topology."))
        .map((f) => f.name);
      await topology.distinct(topologyNames.length, 30_000);
      expect(topology.firstArrivals().map((e) => e.type)).toEqual(topologyNames);
    } finally {
      await producer.close();
      await verbose.close();
      await topology.close();
      await consumer.close();
    }
  });

  it("publish never throws while RabbitMQ is stopped; after it starts again every event arrives in order", async () => {
    const { id, routing, transport } = setup();
    const consumer = transport();
    const verbose = await subscribe(consumer, routing, `pt-${id}.events`);
    const producer = createProducer({
      source: "ctl-amqp",
      lanes: [{ name: "amqp", transport: transport(), routing }],
      retry: fast,
    });
    try {
      await producer.ready({ timeoutMs: 30_000 });
      const before = range(1, 100).map((n) =>
        producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: `${n}` }),
      );
      await Promise.all(before.map((r) => r.durable));
      await run("rabbitmqctl", ["stop_app"]);
      let during: ReturnType<typeof producer.publish>[] = [];
      try {
        during = range(101, 600).map((n) =>
          producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: `${n}` }),
        );
        expect(during.every((r) => r.accepted)).toBe(true);
        // The outage reached the lane: a send failed and the events wait for the broker.
        await waitFor(
          () => producer.stats().lanes[0]!.retries > 0,
          30_000,
          "a failed send while RabbitMQ is down",
        );
      } finally {
        await run("rabbitmqctl", ["start_app"]);
        await run("rabbitmqctl", ["await_startup"]);
      }
      expect(await producer.flush({ timeoutMs: 60_000 })).toBe(true);
      expect((await Promise.all(during.map((r) => r.durable))).every((r) => r.ok)).toBe(true);
      await verbose.distinct(600, 60_000);
      expect(verbose.firstArrivals().map((e) => Number(e.sequence))).toEqual(range(1, 600));
    } finally {
      await producer.close({ timeoutMs: 5000 });
      await verbose.close();
      await consumer.close();
    }
  });
});
