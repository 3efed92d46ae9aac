// LinkStatusTable on real brokers. Kafka: 10k link flaps over 500 links are in a compacted
// topic before the table starts; after ready() the table equals each link's last state, and
// the change listeners ran far fewer times than there were events. Then it follows live
// events. Kafka compacts in the background (segment.ms), so the table may read every flap: the
// coalescing shown here is the table's own. RabbitMQ: the broker keeps each link's last value
// (last-value queues) and a new group subscribing from the beginning starts from them.
import { randomUUID } from "node:crypto";
import { createAmqpTransport } from "@kytos-events/amqp";
import { encodeEnvelope, type OutboundRecord, Router } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import type { Envelope } from "@kytos-events/schema";
import amqplib from "amqplib";
import { afterAll, describe, expect, it } from "vitest";
import { linkEvent, seeded, until } from "../test-support.js";
import { LinkStatusTable, type StatusChange } from "./status-table.js";

const brokers = process.env.KAFKA_BROKERS!;
const run = randomUUID().slice(0, 8);
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
});

function records(destination: string, envelopes: readonly Envelope[]): OutboundRecord[] {
  return envelopes.map((envelope) => {
    const { value, headers } = encodeEnvelope(envelope);
    return { destination, key: envelope.key, value, headers };
  });
}

describe("LinkStatusTable on Kafka", () => {
  it("started late over 10k flaps of 500 links, equals each link's last state with far fewer notifications", async () => {
    const destination = `kytos.status.link.test-${run}`;
    const producer = createKafkaTransport({ brokers });
    closers.push(() => producer.close());
    await producer.ensureDestinations([{ name: destination, partitions: 3, compacted: true }]);
    const random = seeded(5);
    const flaps: Envelope[] = [];
    const last = new Map<string, string>();
    for (let i = 0; i < 10_000; i++) {
      const link = `link-${Math.floor(random() * 500)}`;
      const up = random() < 0.5;
      flaps.push(linkEvent(up, link, { sequence: BigInt(i + 1), source: "ctl" }));
      last.set(link, up ? "up" : "down");
    }
    const batch = records(destination, flaps);
    for (let i = 0; i < batch.length; i += 1000) await producer.send(batch.slice(i, i + 1000));

    const transport = createKafkaTransport({ brokers });
    closers.push(() => transport.close());
    const table = new LinkStatusTable({ transport, destination });
    closers.push(() => table.stop());
    let notifications = 0;
    table.on("change", () => notifications++);
    await table.start();
    await table.ready();
    expect(table.bootstrapSignal).toBe("transport");
    expect(new Map([...table].map((e) => [e.id, e.state]))).toEqual(last);
    const stats = table.stats();
    expect(stats.applied + stats.stale).toBeLessThanOrEqual(flaps.length);
    // However Kafka split the backlog into fetches: one notification per link, at ready.
    expect(notifications).toBe(last.size);
    console.log(
      `[status-table] kafka: ${flaps.length} flaps of ${last.size} links; table read ${stats.applied + stats.stale} ` +
        `records, ${notifications} change notifications`,
    );

    // Live: the next flap of a link notifies once, with the entry it replaced.
    const changes: StatusChange[] = [];
    table.on("change", (c) => changes.push(c));
    const link = flaps.at(-1)!.key;
    const next = linkEvent(last.get(link) !== "up", link, { sequence: 10_001n, source: "ctl" });
    await producer.send(records(destination, [next]));
    await until(() => changes.length === 1, 30_000, "the live change");
    expect(changes[0]).toMatchObject({ id: link, previous: { state: last.get(link) }, coalesced: 1 });
  });

  it("is ready on an empty compacted topic", async () => {
    const destination = `kytos.status.link.empty-${run}`;
    const transport = createKafkaTransport({ brokers });
    closers.push(() => transport.close());
    await transport.ensureDestinations([{ name: destination, partitions: 3, compacted: true }]);
    const table = new LinkStatusTable({ transport, destination, quietMs: 500 });
    closers.push(() => table.stop());
    await table.start();
    await table.ready();
    expect(table.size).toBe(0);
  });
});

describe("LinkStatusTable on RabbitMQ", () => {
  it("started late over 3000 flaps of 60 links, equals each link's last state from the last-value queues", async () => {
    const url = process.env.AMQP_URL!;
    // An exchange of its own, so real event names reach no other test's queues.
    const exchange = `kytos.events.status-test-${run}`;
    const destination = `kytos.status.link.test-${run}`;
    const router = new Router({
      statusDestination: `kytos.status.{entity}.test-${run}`,
      verboseDestination: false,
    });
    const specs = router.destinationSpecs().filter((s) => s.name === destination);
    const config = { url, exchange, queueExpiresMs: 120_000 };
    const random = seeded(9);
    const links = Array.from({ length: 60 }, (_, i) => `link-${run}-${i}`);
    const flaps: Envelope[] = [];
    const last = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const link = links[Math.floor(random() * links.length)]!;
      const up = random() < 0.5;
      flaps.push(linkEvent(up, link, { sequence: BigInt(i + 1), source: "ctl" }));
      last.set(link, up ? "up" : "down");
    }
    const producer = createAmqpTransport(config);
    closers.push(() => producer.close());
    await producer.ensureDestinations(specs);
    const batch = records(destination, flaps);
    for (let i = 0; i < batch.length; i += 500) await producer.send(batch.slice(i, i + 500));

    const transport = createAmqpTransport(config);
    closers.push(() => transport.close());
    await transport.ensureDestinations(specs);
    const group = `status-test-${run}`;
    const table = new LinkStatusTable({ transport, destination, group, quietMs: 500 });
    closers.push(async () => {
      await table.stop();
      await deleteAmqp(
        url,
        [
          `${group}.${destination}`,
          `${destination}.dlq`,
          `${destination}.directory`,
          ...links.map((l) => `${destination}.last.${l}`),
        ],
        [`${exchange}.last.${destination}`, exchange, `${exchange}.direct`],
      );
    });
    let notifications = 0;
    table.on("change", () => notifications++);
    await table.start();
    await table.ready();
    expect(new Map([...table].map((e) => [e.id, e.state]))).toEqual(last);
    // The broker kept one record per link: the table read just those.
    expect(table.stats().applied).toBe(last.size);
    expect(notifications).toBe(last.size);
    console.log(
      `[status-table] amqp: ${flaps.length} flaps of ${last.size} links; table read ${table.stats().applied} last values`,
    );
  });
});

describe("LinkStatusTable started before any producer", () => {
  it("on RabbitMQ declares its destination itself and receives the events published after it started", async () => {
    const url = process.env.AMQP_URL!;
    const exchange = `kytos.events.status-early-${run}`;
    const destination = `kytos.status.link.early-${run}`;
    const config = { url, exchange, queueExpiresMs: 120_000 };
    const links = [0, 1, 2].map((i) => `link-early-${run}-${i}`);
    const group = `status-early-${run}`;
    // The table's transport has been told about no destination, and none exists on the broker.
    const transport = createAmqpTransport(config);
    closers.push(() => transport.close());
    const table = new LinkStatusTable({ transport, destination, group, quietMs: 300 });
    closers.push(async () => {
      await table.stop();
      await deleteAmqp(
        url,
        [
          `${group}.${destination}`,
          `${destination}.dlq`,
          `${destination}.directory`,
          ...links.map((l) => `${destination}.last.${l}`),
        ],
        [`${exchange}.last.${destination}`, exchange, `${exchange}.direct`],
      );
    });
    await table.start();
    await table.ready();
    expect(table.size).toBe(0);

    const producer = createAmqpTransport(config);
    closers.push(() => producer.close());
    const router = new Router({
      statusDestination: `kytos.status.{entity}.early-${run}`,
      verboseDestination: false,
    });
    await producer.ensureDestinations(router.destinationSpecs().filter((s) => s.name === destination));
    const events = links.map((l, i) => linkEvent(i % 2 === 0, l, { sequence: BigInt(i + 1), source: "ctl" }));
    await producer.send(records(destination, events));

    await until(() => table.size === links.length, 30_000, "the table to receive the three links");
    expect(new Map([...table].map((e) => [e.id, e.state]))).toEqual(
      new Map(links.map((l, i) => [l, i % 2 === 0 ? "up" : "down"])),
    );
  });
});

async function deleteAmqp(
  url: string,
  queues: readonly string[],
  exchanges: readonly string[],
): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of exchanges) await channel.deleteExchange(exchange);
  } finally {
    await connection.close();
  }
}
