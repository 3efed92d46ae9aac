// The producer on real Kafka: the controller's JSON fixtures published and read back decoded
// and equal; a dedicated broker stopped mid-stream while publishing goes on (publish never
// throws, nothing waits), then every event arrives in order after the restart; and with a disk
// spool and a buffer far smaller than the outage, still nothing is lost. publishEncoded: the
// caller's encoded envelopes arrive byte for byte.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { equals } from "@bufbuild/protobuf";
import { type KafkaBroker, startKafka } from "@kytos-events/brokers";
import { createEnvelope, encodeEnvelope, Header, type RoutingConfig } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { createKafkaTransport, type KafkaTransport } from "@kytos-events/kafka";
import { type EventName, fromKytosJson, getEventDescriptor } from "@kytos-events/schema";
import { kytosEventFixtures, linkId } from "@kytos-events/schema/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProducer, type Producer } from "./producer.js";
import { EnvelopeReader } from "./test-support.js";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Destinations of their own per test, one partition each so the verbose topic is in publish order. */
function routing(): RoutingConfig & { verboseDestination: string } {
  const run = `pt-${randomUUID().slice(0, 8)}`;
  return {
    nappDestination: `${run}.{topic}`,
    verboseDestination: `${run}.events`,
    statusDestination: `${run}.status.{entity}`,
    partitions: 1,
    statusPartitions: 1,
  };
}

async function readBack(
  brokers: string[] | string,
  topic: string,
): Promise<{ reader: EnvelopeReader; consumer: KafkaTransport }> {
  const consumer = createKafkaTransport({ brokers });
  const subscription = await consumer.subscribe({
    group: `g-${randomUUID()}`,
    destinations: [topic],
    fromBeginning: true,
  });
  return { reader: new EnvelopeReader(subscription), consumer };
}

describe("producer on Kafka", () => {
  it("publishes every controller JSON fixture; a consumer reads each back decoded and equal", async () => {
    const brokers = process.env.KAFKA_BROKERS!;
    const route = routing();
    const producer = createProducer({
      source: "ctl-kafka",
      lanes: [{ name: "kafka", transport: createKafkaTransport({ brokers }), routing: route }],
    });
    await producer.ready({ timeoutMs: 60_000 });
    const receipts = kytosEventFixtures.map((f) => producer.publishKytos(f.name, f.content));
    const reports = await Promise.all(receipts.map((r) => r.durable));
    expect(reports.every((r) => r.ok && r.lanes[0]?.status === "delivered")).toBe(true);
    const { reader, consumer } = await readBack(brokers, route.verboseDestination);
    try {
      await reader.distinct(kytosEventFixtures.length, 60_000);
      const received = reader.firstArrivals();
      expect(received.map((e) => e.id)).toEqual(receipts.map((r) => r.id));
      received.forEach((envelope, i) => {
        const fixture = kytosEventFixtures[i]!;
        expect(envelope).toMatchObject({ type: fixture.name, source: "ctl-kafka", sequence: BigInt(i + 1) });
        const schema = getEventDescriptor(fixture.name).schema;
        expect(
          equals(
            schema,
            envelope.payload.value as never,
            fromKytosJson(fixture.name, fixture.content) as never,
          ),
        ).toBe(true);
      });
    } finally {
      await reader.close();
      await consumer.close();
      await producer.close();
    }
  });

  it("publishEncoded sends the caller's bytes: every fixture envelope arrives byte for byte, keyed and in order", async () => {
    const brokers = process.env.KAFKA_BROKERS!;
    const route = routing();
    const producer = createProducer({
      source: "ctl-kafka",
      lanes: [{ name: "kafka", transport: createKafkaTransport({ brokers }), routing: route }],
    });
    await producer.ready({ timeoutMs: 60_000 });
    const built = kytosEventFixtures.map((f, i) =>
      createEnvelope({
        type: f.name as EventName,
        payload: fromKytosJson(f.name, f.content),
        source: "relay-1",
        sequence: BigInt(i + 1),
      }),
    );
    const encoded = built.map((e) => ({ ...encodeEnvelope(e), key: e.key, sequence: e.sequence }));
    const reports = await Promise.all(encoded.map((e) => producer.publishEncoded(e).durable));
    expect(reports.every((r) => r.ok && r.lanes[0]?.status === "delivered")).toBe(true);
    const consumer = createKafkaTransport({ brokers });
    const subscription = await consumer.subscribe({
      group: `g-${randomUUID()}`,
      destinations: [route.verboseDestination],
      fromBeginning: true,
    });
    const collector = new Collector(subscription);
    try {
      await collector.count(encoded.length, 60_000);
      const records = collector.records.slice(0, encoded.length);
      expect(records.map((r, i) => Buffer.from(r.value).equals(encoded[i]!.value))).toEqual(
        encoded.map(() => true),
      );
      expect(records.map((r) => r.key)).toEqual(encoded.map((e) => e.key));
      expect(records.map((r) => r.headers[Header.EventId])).toEqual(built.map((e) => e.id));
      expect(producer.stats().sequence).toBe(0n);
    } finally {
      await collector.close();
      await consumer.close();
      await producer.close();
    }
  });
});

describe("producer on a Kafka broker that stops and comes back", () => {
  let broker: KafkaBroker;
  const producers: Producer[] = [];

  beforeAll(async () => {
    broker = await startKafka();
  });

  afterAll(async () => {
    await Promise.allSettled(producers.map((p) => p.close({ timeoutMs: 1000 })));
    await broker?.destroy();
  });

  function kafkaProducer(
    route: RoutingConfig,
    extra: { buffer?: { maxEvents: number }; spoolDir?: string } = {},
  ) {
    const transport = createKafkaTransport({
      brokers: broker.brokers,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 5000,
      sendRetryTimeMs: 2000,
    });
    const producer = createProducer({
      source: "ctl-outage",
      lanes: [
        { name: "kafka", transport, routing: route, ...(extra.buffer ? { buffer: extra.buffer } : {}) },
      ],
      retry: { initialDelayMs: 100, maxDelayMs: 1000 },
      ...(extra.spoolDir ? { spool: { dir: extra.spoolDir, segmentBytes: 64 * 1024 } } : {}),
    });
    producers.push(producer);
    return producer;
  }

  /** Publishes `from..to` with the broker stopped; every call returns without throwing. */
  function publishWhileDown(producer: Producer, from: number, to: number) {
    expect(broker.running).toBe(false);
    const receipts = range(from, to).map((n) =>
      producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: `outage ${n}` }),
    );
    expect(broker.running).toBe(false); // every call completed while the broker was still down
    return receipts;
  }

  it("publish never throws while the broker is down; after the restart every event arrives in order", async () => {
    const route = routing();
    const producer = kafkaProducer(route);
    await producer.ready({ timeoutMs: 60_000 });
    const before = range(1, 100).map((n) =>
      producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: `before ${n}` }),
    );
    await Promise.all(before.map((r) => r.durable));
    await broker.stop();
    const during = publishWhileDown(producer, 101, 600);
    expect(during.every((r) => r.accepted)).toBe(true);
    await broker.start();
    expect(await producer.flush({ timeoutMs: 90_000 })).toBe(true);
    expect((await Promise.all(during.map((r) => r.durable))).every((r) => r.ok)).toBe(true);
    const { reader, consumer } = await readBack(broker.brokers, route.verboseDestination!);
    try {
      await reader.distinct(600, 60_000);
      expect(reader.firstArrivals().map((e) => Number(e.sequence))).toEqual(range(1, 600));
    } finally {
      await reader.close();
      await consumer.close();
    }
    expect(producer.stats().lanes[0]).toMatchObject({ delivered: 600, failed: 0 });
  });

  it("with a spool and a buffer smaller than the outage, nothing is lost and order is kept", async () => {
    const route = routing();
    const producer = kafkaProducer(route, {
      buffer: { maxEvents: 50 },
      spoolDir: mkdtempSync(join(tmpdir(), "kytos-spool-")),
    });
    await producer.ready({ timeoutMs: 60_000 });
    await broker.stop();
    const during = publishWhileDown(producer, 1, 2000);
    const outcomes = await Promise.all(during.slice(100).map((r) => r.durable));
    expect(outcomes.every((r) => r.lanes[0]?.status === "spooled")).toBe(true);
    await broker.start();
    expect(await producer.flush({ timeoutMs: 90_000 })).toBe(true);
    const stats = producer.stats().lanes[0]!;
    expect(stats.dropped).toEqual({ "overflow-oldest": 0, "overflow-newest": 0, "spool-full": 0, closed: 0 });
    expect(stats.spool!.appended).toBeGreaterThan(1800);
    expect(stats.spool!.replayed).toBe(stats.spool!.appended);
    const { reader, consumer } = await readBack(broker.brokers, route.verboseDestination!);
    try {
      await reader.distinct(2000, 60_000);
      expect(reader.firstArrivals().map((e) => Number(e.sequence))).toEqual(range(1, 2000));
    } finally {
      await reader.close();
      await consumer.close();
    }
  });
});
