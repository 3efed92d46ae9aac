// Broadcast only: nothing a consumer does flows back into the controller's destinations. A
// consumer is driven through every path that makes a transport produce — handler retries, a
// poison event dead-lettered after maxAttempts, malformed records — and everything written
// while it runs is checked: on memory every append to the broker, on Kafka every topic's end
// offsets, on RabbitMQ every AMQP publish of the process and what another group's queues hold.
// Only dead-letter destinations (`<destination>.dlq`) and, on RabbitMQ, the group's own retry
// and delay queues receive anything; no controller destination gains a record.
import { randomUUID } from "node:crypto";
import { createAmqpTransport } from "@kytos-events/amqp";
import { createConsumer } from "@kytos-events/consumer";
import {
  createMemoryBroker,
  createMemoryTransport,
  Header,
  type OutboundRecord,
  Router,
  type RoutingConfig,
  type Transport,
} from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { createProducer } from "@kytos-events/producer";
import amqplib from "amqplib";
import { Kafka, logLevel } from "kafkajs";
import { afterEach, describe, expect, it } from "vitest";

const EVENTS = 60;
const MALFORMED = 4;
const isPoison = (sequence: bigint) => sequence % 6n === 0n;
const isFlaky = (sequence: bigint) => sequence % 6n === 1n;
const POISON = Array.from({ length: EVENTS }, (_, i) => BigInt(i + 1)).filter(isPoison).length;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Destinations of this test's own, so nothing of another test is counted. */
function routingFor(id: string): { routing: RoutingConfig; read: string[]; controller: Set<string> } {
  const routing: RoutingConfig = {
    nappDestination: `bo-${id}.{topic}`,
    verboseDestination: `bo-${id}.events`,
    // No compacted status destinations: RabbitMQ's last-value queues would outlive the test.
    statusDestination: false,
    partitions: 2,
  };
  const controller = new Set(new Router(routing).destinationSpecs().map((s) => s.name));
  return { routing, read: [`bo-${id}.kytos.topology`], controller };
}

/** The controller side: EVENTS link events through the producer SDK, then flushed. */
async function publishEvents(transport: Transport, routing: RoutingConfig): Promise<void> {
  const producer = createProducer({ source: "ctl-broadcast", lanes: [{ name: "lane", transport, routing }] });
  try {
    await producer.ready({ timeoutMs: 60_000 });
    const receipts = Array.from({ length: EVENTS }, (_, i) =>
      producer.publish(i % 2 === 0 ? "kytos/topology.link_down" : "kytos/topology.link_up", {
        link: { id: `link-${i % 7}` },
      }),
    );
    const outcomes = await Promise.all(receipts.map((r) => r.durable));
    expect(outcomes.every((o) => o.ok)).toBe(true);
  } finally {
    await producer.close();
  }
}

/** Bytes no decoder accepts, typed as a topology event so broker-side routing places them. */
function malformed(destination: string, i: number): OutboundRecord {
  return {
    destination,
    key: `bad-${i}`,
    value: Uint8Array.of(0xff, 0xfe, i, 0x00, 0x13),
    headers: {
      [Header.EventType]: "kytos/topology.link_down",
      [Header.ContentType]: "application/x-protobuf",
    },
  };
}

/**
 * Runs a consumer over `read` until every event copy is handled or dead-lettered: poison events
 * fail every attempt, flaky ones fail once. Returns what it counted.
 */
async function consume(transport: Transport, group: string, read: readonly string[]) {
  const consumer = createConsumer({
    transport,
    group,
    destinations: read,
    from: "beginning",
    gaps: false,
    retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 40 },
  });
  const attempts = new Map<string, number>();
  const sequences = new Map<string, bigint>();
  consumer.on("kytos/topology.*", (event, context) => {
    const { id, sequence } = event.envelope;
    const seen = (attempts.get(id + context.destination) ?? 0) + 1;
    attempts.set(id + context.destination, seen);
    sequences.set(id + context.destination, sequence);
    if (isPoison(sequence)) throw new Error(`poison event ${sequence}`);
    if (isFlaky(sequence) && seen === 1) throw new Error(`flaky event ${sequence}, first attempt`);
  });
  await consumer.start();
  const handled = (EVENTS - POISON) * read.length;
  const dead = (POISON + MALFORMED) * read.length;
  try {
    await until(
      () => consumer.stats().handled === handled && consumer.stats().deadLettered === dead,
      90_000,
      `${handled} handled and ${dead} dead-lettered (${JSON.stringify(consumer.stats())})`,
    );
    await consumer.stop({ timeoutMs: 10_000 });
  } finally {
    await consumer.stop({ timeoutMs: 1000 });
  }
  // The paths under test were taken: every poison copy ran maxAttempts times, every flaky one twice.
  const runs = (which: (sequence: bigint) => boolean) =>
    [...attempts].filter(([key]) => which(sequences.get(key)!)).map(([, n]) => n);
  expect(runs(isPoison)).toEqual(Array(POISON * read.length).fill(3));
  expect(runs(isFlaky)).toEqual(Array((EVENTS / 6) * read.length).fill(2));
  return { dead };
}

describe("the consumer side never publishes into the controller's destinations", () => {
  it("memory: while a consumer retries and dead-letters, every append goes to a .dlq destination", async () => {
    const id = randomUUID().slice(0, 8);
    const { routing, read, controller } = routingFor(id);
    const broker = createMemoryBroker();
    await publishEvents(createMemoryTransport({ broker }), routing);
    const raw = createMemoryTransport({ broker });
    await raw.send(read.flatMap((d) => Array.from({ length: MALFORMED }, (_, i) => malformed(d, i))));

    // A recording pass-through: every record the broker stores from here on is seen.
    const appended: string[] = [];
    const append = broker.append.bind(broker);
    broker.append = (topic, partition, record) => {
      appended.push(topic);
      return append(topic, partition, record);
    };
    const { dead } = await consume(createMemoryTransport({ broker }), `bo-${id}`, read);

    expect(appended).toHaveLength(dead);
    expect(new Set(appended)).toEqual(new Set(read.map((d) => `${d}.dlq`)));
    expect(appended.filter((d) => controller.has(d))).toEqual([]);
  });

  it("Kafka: while a consumer retries and dead-letters, only <destination>.dlq topics gain records", async () => {
    const brokers = process.env.KAFKA_BROKERS!.split(",");
    const id = randomUUID().slice(0, 8);
    const { routing, read, controller } = routingFor(id);
    const kafka = () =>
      createKafkaTransport({ brokers: brokers.join(","), consumer: { commitIntervalMs: 50 } });
    await publishEvents(kafka(), routing);
    const raw = kafka();
    cleanups.push(() => raw.close());
    await raw.send(read.flatMap((d) => Array.from({ length: MALFORMED }, (_, i) => malformed(d, i))));

    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    // Every topic's end offsets, summed; internal topics (__consumer_offsets) hold commits.
    const ends = async (): Promise<Map<string, number>> => {
      const out = new Map<string, number>();
      for (const topic of await admin.listTopics()) {
        if (topic.startsWith("__")) continue;
        const offsets = await admin.fetchTopicOffsets(topic);
        out.set(
          topic,
          offsets.reduce((sum, p) => sum + Number(p.high), 0),
        );
      }
      return out;
    };
    const before = await ends();
    for (const name of controller) expect(before.has(name), name).toBe(true);

    const consumerSide = kafka();
    cleanups.push(() => consumerSide.close());
    const { dead } = await consume(consumerSide, `bo-${id}`, read);

    const after = await ends();
    const grown = [...after].filter(([topic, end]) => end > (before.get(topic) ?? 0));
    expect(new Set(grown.map(([topic]) => topic))).toEqual(new Set(read.map((d) => `${d}.dlq`)));
    expect(grown.reduce((sum, [topic, end]) => sum + end - (before.get(topic) ?? 0), 0)).toBe(dead);
    for (const name of controller) expect(after.get(name), name).toBe(before.get(name));
  });

  it("RabbitMQ: while a consumer retries and dead-letters, it publishes only to its own queues and .dlq queues; another group gets nothing extra", async () => {
    const url = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
    const id = randomUUID().slice(0, 8);
    const { routing, read, controller } = routingFor(id);
    const exchange = `bo-${id}`;
    const amqp = () => createAmqpTransport({ url, exchange, queueExpiresMs: 120_000 });
    const specs = new Router(routing).destinationSpecs();
    const group = `bo-${id}`;
    const bystander = `bo-${id}-bystander`;
    // AMQP queues only get what arrives after they exist: both groups' queues first.
    const setup = amqp();
    cleanups.push(() => setup.close());
    await setup.ensureDestinations(specs);
    for (const g of [group, bystander])
      await (await setup.subscribe({ group: g, destinations: read })).close();
    await publishEvents(amqp(), routing);
    // Broker fanout: one publish reaches every destination bound for link events.
    const raw = amqp();
    cleanups.push(() => raw.close());
    await raw.ensureDestinations(specs);
    await raw.send(Array.from({ length: MALFORMED }, (_, i) => malformed(read[0]!, i)));

    // Records every AMQP publish this process makes while the consumer runs (a pass-through).
    const published: { exchange: string; routingKey: string }[] = [];
    const view = await amqplib.connect(url);
    cleanups.push(() => view.close());
    cleanups.push(async () => {
      const ch = await view.createChannel();
      const delayQueues = published.map((p) => p.routingKey).filter((k) => k.includes(".delay."));
      const queues = read.flatMap((d) => [`${group}.${d}`, `${bystander}.${d}`, `${d}.dlq`]);
      for (const q of new Set([...queues, ...delayQueues])) {
        await ch.deleteQueue(q);
      }
      for (const ex of [exchange, `${exchange}.direct`]) await ch.deleteExchange(ex);
      await ch.close();
    });
    const probe = await view.createConfirmChannel();
    const channelPrototype = Object.getPrototypeOf(Object.getPrototypeOf(probe)) as {
      publish: (exchange: string, routingKey: string, ...rest: unknown[]) => boolean;
    };
    await probe.close();
    const publish = channelPrototype.publish;
    channelPrototype.publish = function (this: unknown, ex: string, routingKey: string, ...rest: unknown[]) {
      published.push({ exchange: ex, routingKey });
      return publish.call(this, ex, routingKey, ...rest);
    };
    cleanups.push(async () => {
      channelPrototype.publish = publish;
    });
    const consumerSide = amqp();
    cleanups.push(() => consumerSide.close());
    await consumerSide.ensureDestinations(specs);
    const { dead } = await consume(consumerSide, group, read);
    channelPrototype.publish = publish;

    const ownQueues = read.map((d) => `${group}.${d}`);
    const isRetry = (p: { exchange: string; routingKey: string }) =>
      p.exchange === "" &&
      ownQueues.some((q) => p.routingKey === q || p.routingKey.startsWith(`${q}.delay.`));
    const isDeadLetter = (p: { exchange: string; routingKey: string }) =>
      p.exchange === `${exchange}.direct` && read.some((d) => p.routingKey === `${d}.dlq`);
    expect(published.filter((p) => !isRetry(p) && !isDeadLetter(p))).toEqual([]);
    expect(published.filter(isDeadLetter)).toHaveLength(dead);
    expect(published.some(isRetry)).toBe(true);
    expect(published.filter((p) => p.exchange === exchange || controller.has(p.routingKey))).toEqual([]);

    // Broker side: the other group's queues hold exactly what the controller side sent.
    const ch = await view.createChannel();
    for (const d of read) {
      expect((await ch.checkQueue(`${bystander}.${d}`)).messageCount, d).toBe(EVENTS + MALFORMED);
      expect((await ch.checkQueue(`${d}.dlq`)).messageCount, `${d}.dlq`).toBe(dead / read.length);
    }
    await ch.close();
  });
});
