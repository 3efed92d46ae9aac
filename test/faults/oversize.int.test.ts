// Oversized messages: what a user expects from every transport is what Kafka does — the one
// record over the limit fails for good (KE_MESSAGE_TOO_LARGE naming its size and the limit),
// every other record of the batch is delivered, and a producer never resends the oversized one
// forever. Shown on the memory transport (its maxMessageBytes), on RabbitMQ with the
// transport's own maxMessageBytes (shared server), and on a private RabbitMQ node whose
// max_message_size is below the transport's limit, where the broker itself refuses.
import { randomUUID } from "node:crypto";
import { createAmqpTransport } from "@kytos-events/amqp";
import { type RabbitMQNode, startRabbitMQ } from "@kytos-events/brokers";
import {
  createMemoryBroker,
  createMemoryTransport,
  decodeEnvelope,
  ErrorCode,
  type InboundRecord,
  type KytosEventsError,
  type OutboundRecord,
  Router,
  SendError,
  type Transport,
} from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { createProducer, type DeliveryReport } from "@kytos-events/producer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const LIMIT = 4096;
const BIG = 10_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** A new group reading `destination` from the beginning. */
async function reader(transport: Transport, destination: string): Promise<Collector> {
  const collector = new Collector(
    await transport.subscribe({
      group: `oversize-${randomUUID().slice(0, 8)}`,
      destinations: [destination],
      fromBeginning: true,
    }),
  );
  cleanups.push(() => collector.close());
  return collector;
}

const record = (destination: string, label: string, size = 16): OutboundRecord => ({
  destination,
  key: "link-1",
  value: new Uint8Array(size).fill(label.charCodeAt(0)),
  headers: { "x-label": label },
});

/** Sends [a, big, c, d]: only index 1 fails, non-retriable, naming its size and `limit`. */
async function expectOnlyTheBigOneRefused(transport: Transport, destination: string, limit: number) {
  const error = await transport
    .send([
      record(destination, "a"),
      record(destination, "big", BIG),
      record(destination, "c"),
      record(destination, "d"),
    ])
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(SendError);
  const failures = (error as SendError).failures;
  expect(failures.map((f) => [f.index, f.retriable, (f.error as KytosEventsError).code])).toEqual([
    [1, false, ErrorCode.MessageTooLarge],
  ]);
  expect(failures[0]!.error.message).toContain(String(BIG));
  expect(failures[0]!.error.message).toContain(String(limit));
}

/** A link_down whose metadata makes the encoded event about `bytes` long. */
const linkDown = (n: number, bytes = 0) =>
  ({
    link: { id: `link-${n}`, ...(bytes > 0 ? { metadata: { padding: "x".repeat(bytes) } } : {}) },
  }) as never;

/**
 * Publishes 5 events through the producer SDK, the third one oversized: the third fails for
 * good with KE_MESSAGE_TOO_LARGE (reported to onError once), the others are delivered.
 */
async function publishThroughProducer(transport: Transport, routing: object) {
  const errors: KytosEventsError[] = [];
  const producer = createProducer({
    source: "ctl-oversize",
    lanes: [{ name: "lane", transport, routing }],
    retry: { initialDelayMs: 20, maxDelayMs: 100 },
    onError: (e) => errors.push(e),
  });
  cleanups.push(() => producer.close({ timeoutMs: 2000 }));
  await producer.ready({ timeoutMs: 30_000 });
  const receipts = [1, 2, 3, 4, 5].map((n) =>
    producer.publish("kytos/topology.link_down", linkDown(n, n === 3 ? BIG : 0)),
  );
  const reports: DeliveryReport[] = await Promise.all(receipts.map((r) => r.durable));
  expect(reports.map((r) => r.ok)).toEqual([true, true, false, true, true]);
  expect(reports[2]!.lanes.map((l) => [l.status, l.error?.code])).toEqual([
    ["failed", ErrorCode.MessageTooLarge],
  ]);
  expect(errors.map((e) => e.code)).toEqual([ErrorCode.MessageTooLarge]);
  await producer.flush();
  return reports;
}

/**
 * In order, each at least once: a message published just before the refused one may be stored
 * twice, because RabbitMQ closes the channel before confirming it and the transport resends it
 * (at-least-once; an idempotent consumer drops the copy).
 */
function collapseRepeats(values: readonly string[]): string[] {
  return values.filter((v, i) => i === 0 || values[i - 1] !== v);
}

/** The link ids of envelopes read back, in order. */
function linkIds(records: readonly InboundRecord[]): string[] {
  return records.map((r) => {
    const decoded = decodeEnvelope(r.value, r.headers);
    if (!decoded.ok) throw decoded.error;
    return decoded.envelope.key;
  });
}

describe("memory transport: maxMessageBytes", () => {
  it("refuses only the record over the limit, non-retriable, naming its size and the limit; the rest of the batch is delivered", async () => {
    const broker = createMemoryBroker({ maxMessageBytes: LIMIT });
    const transport = createMemoryTransport({ broker });
    await transport.ensureDestinations([{ name: "oversize", partitions: 1 }]);
    await expectOnlyTheBigOneRefused(transport, "oversize", LIMIT);
    expect(broker.records("oversize").map((r) => r.headers["x-label"])).toEqual(["a", "c", "d"]);
  });

  it("defaults to 1 MiB", () => {
    expect(createMemoryTransport({ broker: createMemoryBroker() }).capabilities.maxMessageBytes).toBe(
      1024 * 1024,
    );
  });

  it("through the producer: the oversized event fails for good, the events around it are delivered in order", async () => {
    const broker = createMemoryBroker({ maxMessageBytes: LIMIT });
    await publishThroughProducer(createMemoryTransport({ broker }), { partitions: 1, statusPartitions: 1 });
    const keys = broker.records("kytos.events").map((r) => {
      const decoded = decodeEnvelope(r.value, r.headers);
      if (!decoded.ok) throw decoded.error;
      return decoded.envelope.key;
    });
    expect(keys).toEqual(["link-1", "link-2", "link-4", "link-5"]);
  });
});

describe("RabbitMQ: the transport's maxMessageBytes (shared server)", () => {
  it("refuses only the record over maxMessageBytes before publishing; the rest of the batch is delivered", async () => {
    const url = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
    const id = randomUUID().slice(0, 8);
    const destination = `oversize-${id}`;
    const transport = createAmqpTransport({
      url,
      // One exchange for every run (declared idempotently); the queue is per run and expires.
      exchange: "kytos-faults.oversize",
      maxMessageBytes: LIMIT,
      queueExpiresMs: 60_000,
    });
    cleanups.push(() => transport.close());
    await transport.ensureDestinations([{ name: destination, eventPrefixes: [""] }]);
    const got = await reader(transport, destination);
    await expectOnlyTheBigOneRefused(transport, destination, LIMIT);
    await got.count(3, 20_000);
    expect(got.records.map((r) => r.headers["x-label"])).toEqual(["a", "c", "d"]);
  });
});

describe("RabbitMQ: the broker's max_message_size below the transport's limit (private node)", () => {
  let node: RabbitMQNode;
  beforeAll(async () => {
    node = await startRabbitMQ({ config: { max_message_size: String(LIMIT) } });
  }, 120_000);
  afterAll(async () => {
    await node?.destroy();
  }, 60_000);

  const transportOn = () => {
    // The transport's own limit (16 MiB by default) is far above the broker's.
    const transport = createAmqpTransport({
      url: node.url,
      exchange: "oversize",
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    cleanups.push(() => transport.close());
    return transport;
  };

  it("refuses only the record the broker refused, non-retriable, naming its size and the broker's limit; the rest of the batch is delivered, also on the next send", async () => {
    const transport = transportOn();
    const destination = `oversize-${randomUUID().slice(0, 8)}`;
    await transport.ensureDestinations([{ name: destination, eventPrefixes: [""] }]);
    const got = await reader(transport, destination);
    // First the broker refuses it (closing the channel); then the transport knows the limit.
    await expectOnlyTheBigOneRefused(transport, destination, LIMIT);
    await expectOnlyTheBigOneRefused(transport, destination, LIMIT);
    const labelsOf = (rs: readonly InboundRecord[]) => rs.map((r) => r.headers["x-label"]!);
    await got.until((rs) => collapseRepeats(labelsOf(rs)).length >= 6, 20_000, "both batches");
    const labels = labelsOf(got.records);
    expect(collapseRepeats(labels)).toEqual(["a", "c", "d", "a", "c", "d"]);
    // The second send was refused before publishing: the channel stayed up, nothing resent.
    expect(labels.slice(-3)).toEqual(["a", "c", "d"]);
  });

  it("through the producer: the oversized event fails for good instead of being resent forever; the events around it are delivered in order, at least once", async () => {
    const routing = {
      verboseDestination: `oversize-${randomUUID().slice(0, 8)}`,
      statusDestination: false,
      partitions: 1,
    } as const;
    const readSide = transportOn();
    await readSide.ensureDestinations(new Router(routing).destinationSpecs());
    const got = await reader(readSide, routing.verboseDestination);
    await publishThroughProducer(transportOn(), routing);
    await got.until((rs) => collapseRepeats(linkIds(rs)).length >= 4, 20_000, "4 distinct events");
    expect(collapseRepeats(linkIds(got.records))).toEqual(["link-1", "link-2", "link-4", "link-5"]);
  });
});
