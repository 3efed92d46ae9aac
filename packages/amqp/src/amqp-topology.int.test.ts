// Declarations on the real RabbitMQ: idempotent, and a queue or exchange that already exists
// with other settings is a TopologyConflict naming it and the argument — after which the
// transport keeps working (the refused declaration closed only its own channel).
import { ErrorCode, Header, KytosEventsError } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AmqpTransport, createAmqpTransport } from "./amqp-transport.js";
import { amqpUrl, BrokerView, TEST_QUEUE_EXPIRES_MS, unique } from "./test-support.js";

const encoder = new TextEncoder();

describe("declaring the topology", () => {
  let transport: AmqpTransport;
  let broker: BrokerView;

  beforeAll(async () => {
    transport = createAmqpTransport({ url: amqpUrl(), queueExpiresMs: TEST_QUEUE_EXPIRES_MS });
    await transport.connect();
    broker = await BrokerView.open();
  });

  afterAll(async () => {
    await transport?.close();
    await broker?.close();
  });

  async function destination() {
    const dest = unique("topo");
    const type = `kytos/${dest.replace("-", "_")}.event`;
    await transport.ensureDestinations([{ name: dest, eventPrefixes: [type] }]);
    return { dest, type };
  }

  it("refuses a group queue that exists with another queue type, naming the queue and the argument, and keeps working", async () => {
    const { dest, type } = await destination();
    const group = unique("g");
    // Deployed earlier with classic queues; this transport wants quorum (the default).
    const classic = createAmqpTransport({
      url: amqpUrl(),
      queueType: "classic",
      queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
    });
    try {
      await classic.ensureDestinations([{ name: dest, eventPrefixes: [type] }]);
      await (await classic.subscribe({ group, destinations: [dest] })).close();
    } finally {
      await classic.close();
    }

    const error = await transport.subscribe({ group, destinations: [dest] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KytosEventsError);
    expect((error as KytosEventsError).code).toBe(ErrorCode.TopologyConflict);
    // The dead-letter queue is declared first, so it is the one named.
    expect((error as Error).message).toContain(`queue "${dest}.dlq"`);
    expect((error as Error).message).toContain("x-queue-type");

    // The same transport still subscribes and publishes.
    const fresh = await destination();
    const reader = new Collector(
      await transport.subscribe({ group: unique("g"), destinations: [fresh.dest] }),
    );
    await transport.send([
      {
        destination: fresh.dest,
        key: "k",
        value: encoder.encode("after"),
        headers: { [Header.EventType]: fresh.type },
      },
    ]);
    await reader.count(1, 10_000);
    await reader.records[0]!.ack();
    await reader.close();
  });

  it("refuses a group queue declared with another delivery limit", async () => {
    const { dest } = await destination();
    const group = unique("g");
    const strict = createAmqpTransport({
      url: amqpUrl(),
      deliveryLimit: 3,
      queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
    });
    try {
      await strict.ensureDestinations([{ name: dest, eventPrefixes: ["kytos/x."] }]);
      await (await strict.subscribe({ group, destinations: [dest] })).close();
      const error = await transport.subscribe({ group, destinations: [dest] }).catch((e: unknown) => e);
      expect((error as KytosEventsError).code).toBe(ErrorCode.TopologyConflict);
      expect((error as Error).message).toContain("x-delivery-limit");
    } finally {
      await strict.close();
    }
  });

  it("refuses an exchange that exists with another type, naming it", async () => {
    const exchange = unique("kytos.test");
    await broker.withChannel((ch) => ch.assertExchange(exchange, "fanout", { durable: true }));
    const other = createAmqpTransport({ url: amqpUrl(), exchange });
    try {
      const error = await other.connect().catch((e: unknown) => e);
      expect((error as KytosEventsError).code).toBe(ErrorCode.TopologyConflict);
      expect((error as Error).message).toContain(`exchange "${exchange}"`);
    } finally {
      await other.close();
      await broker.deleteExchanges([exchange]);
    }
  });

  it("declares idempotently: the same destinations and group again, from another transport, change nothing", async () => {
    const { dest, type } = await destination();
    const group = unique("g");
    const second = createAmqpTransport({ url: amqpUrl(), queueExpiresMs: TEST_QUEUE_EXPIRES_MS });
    try {
      await second.ensureDestinations([{ name: dest, eventPrefixes: [type] }]);
      await transport.ensureDestinations([{ name: dest, eventPrefixes: [type] }]);
      const a = new Collector(await transport.subscribe({ group, destinations: [dest] }));
      const b = new Collector(await second.subscribe({ group, destinations: [dest] }));
      await transport.send(
        Array.from({ length: 10 }, (_, i) => ({
          destination: dest,
          key: `k${i}`,
          value: encoder.encode(`m${i}`),
          headers: { [Header.EventType]: type },
        })),
      );
      // One queue shared by both members: every record once across the group.
      await a.until(() => a.records.length + b.records.length >= 10, 10_000, "10 records across the group");
      expect(a.records.length + b.records.length).toBe(10);
      for (const r of [...a.records, ...b.records]) await r.ack();
      await a.close();
      await b.close();
    } finally {
      await second.close();
    }
  });

  it("refuses an event prefix whose binding would exceed 255 bytes, naming the destination", async () => {
    const error = await transport
      .ensureDestinations([{ name: "long-prefix", eventPrefixes: [`kytos/${"x".repeat(300)}.`] }])
      .catch((e: unknown) => e);
    expect((error as KytosEventsError).code).toBe(ErrorCode.ConfigInvalid);
    expect((error as Error).message).toContain("long-prefix");
  });
});
