// Key-ordered concurrency on a real broker, with all records in ONE partition (Kafka) or ONE
// queue (RabbitMQ): the broker gives no parallelism, the SDK does. Handlers sleep a random
// few milliseconds (I/O); per key the events must still be handled in publish order, and the
// committed position must cover everything at the end. The elapsed time per concurrency
// limit is printed for the benchmark issue, not asserted.
import { randomUUID } from "node:crypto";
import { createAmqpTransport } from "@kytos-events/amqp";
import { encodeEnvelope, type Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import amqplib from "amqplib";
import { afterAll, describe, expect, it } from "vitest";
import { createConsumer } from "./consumer.js";
import { linkEvent, seeded, until } from "./test-support.js";

const N = 1200;
const KEYS = 60;
const run = randomUUID().slice(0, 8);
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

const events = (() => {
  const random = seeded(3);
  return Array.from({ length: N }, (_, i) =>
    linkEvent(i % 2 === 0, `link-${Math.floor(random() * KEYS)}`, { sequence: BigInt(i + 1), source: "ctl" }),
  );
})();

async function setUp(kind: "kafka" | "amqp", destination: string): Promise<() => Transport> {
  if (kind === "kafka") {
    const make = () =>
      createKafkaTransport({ brokers: process.env.KAFKA_BROKERS!, consumer: { commitIntervalMs: 20 } });
    const admin = make();
    cleanups.push(() => admin.close());
    await admin.ensureDestinations([{ name: destination, partitions: 1 }]);
    return make;
  }
  const url = process.env.AMQP_URL!;
  return () =>
    createAmqpTransport({ url, exchange: "kytos.events.consumer-order-test", queueExpiresMs: 60_000 });
}

async function publishAll(transport: Transport, destination: string): Promise<void> {
  const records = events.map((envelope) => {
    const { value, headers } = encodeEnvelope(envelope);
    return { destination, key: envelope.key, value, headers };
  });
  for (let i = 0; i < records.length; i += 300) await transport.send(records.slice(i, i + 300));
}

describe.each(["kafka", "amqp"] as const)("key-ordered concurrency on one %s lane", (kind) => {
  it("keeps per-key order at every concurrency limit and handles everything", {
    timeout: 180_000,
  }, async () => {
    const destination = `consumer-order-${kind}-${run}`;
    const make = await setUp(kind, destination);
    const timings: string[] = [];
    for (const concurrency of [1, 4, 16]) {
      const group = `consumer-order-${kind}-${run}-c${concurrency}`;
      const transport = make();
      cleanups.push(() => transport.close());
      // On RabbitMQ each group has its own queue, bound before publishing; Kafka replays the topic.
      if (kind === "amqp") await transport.ensureDestinations([{ name: destination, eventPrefixes: [""] }]);
      const random = seeded(concurrency);
      const byKey = new Map<string, bigint[]>();
      let active = 0;
      let maxActive = 0;
      let firstAt = 0;
      const consumer = createConsumer({
        transport,
        group,
        destinations: [destination],
        from: "beginning",
        concurrency,
        maxInFlight: 256,
        gaps: false,
      }).on("kytos/topology.*", async (event) => {
        firstAt ||= Date.now();
        maxActive = Math.max(maxActive, ++active);
        await new Promise((resolve) => setTimeout(resolve, random() * 4));
        byKey.set(event.key, [...(byKey.get(event.key) ?? []), event.sequence]);
        active--;
      });
      await consumer.start();
      if (kind === "amqp") {
        cleanups.push(() => deleteQueues([`${group}.${destination}`, `${destination}.dlq`]));
        await publishAll(transport, destination);
      } else if (concurrency === 1) {
        await publishAll(transport, destination);
      }
      await until(() => consumer.stats().handled === N, 120_000, `${N} events at concurrency ${concurrency}`);
      const elapsed = Math.max(1, Date.now() - firstAt); // first handler start to last finish
      const report = await consumer.stop({ timeoutMs: 10_000 });
      expect(report.drained).toBe(true);
      for (const [key, sequences] of byKey) {
        expect(sequences, key).toEqual([...sequences].sort((a, b) => (a < b ? -1 : 1)));
      }
      expect(maxActive).toBeLessThanOrEqual(concurrency);
      if (concurrency > 1) expect(maxActive).toBeGreaterThan(1);
      timings.push(
        `concurrency ${concurrency}: ${elapsed} ms (${Math.round((N * 1000) / elapsed)} events/s)`,
      );
    }
    console.log(
      `[key-order] ${kind}, one lane, ${N} events over ${KEYS} keys, 0-4 ms handlers: ${timings.join("; ")}`,
    );
  });
});

async function deleteQueues(queues: readonly string[]): Promise<void> {
  const connection = await amqplib.connect(process.env.AMQP_URL!);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}
