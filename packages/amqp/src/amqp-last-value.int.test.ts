// Link-status last-value queues on the real RabbitMQ: many links flap many times, each event
// published once; a consumer that starts afterwards reads exactly the latest state of every
// link, because the broker kept one message per link (x-max-length 1, drop-head) — not
// because a client coalesced history. Reading does not consume: the state stays for the next.
import { createHash } from "node:crypto";
import { Header, type OutboundRecord, Router } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { createAmqpTransport } from "./amqp-transport.js";
import { directoryOf, lastValueExchangeOf, lastValueQueueOf } from "./last-value.js";
import { amqpUrl, BrokerView, TEST_QUEUE_EXPIRES_MS, unique } from "./test-support.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe("link-status last-value queues", () => {
  // An exchange of its own: real event names must not reach other tests' queues.
  const exchange = unique("kytos.test-lvq");
  const id = unique("lvq");
  const router = new Router({ statusDestination: `kytos.status.{entity}.${id}`, verboseDestination: false });
  const specs = router.destinationSpecs();
  const linkStatus = `kytos.status.link.${id}`;
  const links = Array.from({ length: 25 }, (_, i) =>
    createHash("sha256").update(`${id}-link-${i}`).digest("hex"),
  );
  const config = { url: amqpUrl(), exchange, queueExpiresMs: TEST_QUEUE_EXPIRES_MS };
  let broker: BrokerView | undefined;

  afterAll(async () => {
    broker ??= await BrokerView.open();
    const compacted = specs.filter((s) => s.compacted).map((s) => s.name);
    await broker.deleteQueues([
      ...links.map((l) => lastValueQueueOf(linkStatus, l)),
      ...compacted.map(directoryOf),
    ]);
    await broker.deleteExchanges([
      ...compacted.map((d) => lastValueExchangeOf(exchange, d)),
      exchange,
      `${exchange}.direct`,
    ]);
    await broker.close();
  });

  function event(link: string, flap: number): OutboundRecord {
    const name = flap % 2 === 0 ? "kytos/topology.link_down" : "kytos/topology.link_up";
    const [destination] = router.route(name, "broker");
    return {
      destination: destination!,
      key: link,
      value: encoder.encode(`${link}:${flap}:${name.endsWith("up") ? "up" : "down"}`),
      headers: { [Header.EventType]: name },
    };
  }

  it("gives a late consumer exactly the latest state of each of 25 links after 40-42 flaps each", async () => {
    const flaps = (i: number) => 40 + (i % 3); // final states differ: some links end up, some down
    const producer = createAmqpTransport(config);
    try {
      await producer.ensureDestinations(specs);
      // Interleaved like a real network: round after round, every link still flapping flaps.
      const stream: OutboundRecord[] = [];
      for (let flap = 0; flap < 42; flap++) {
        links.forEach((link, i) => {
          if (flap < flaps(i)) stream.push(event(link, flap));
        });
      }
      for (let i = 0; i < stream.length; i += 100) await producer.send(stream.slice(i, i + 100));
      expect(stream.length).toBe(25 * 40 + 8 * 1 + 8 * 2); // 1024 events, each published once
    } finally {
      await producer.close();
    }

    const late = createAmqpTransport(config);
    broker = await BrokerView.open();
    try {
      await late.ensureDestinations(specs);
      const values = await late.lastValues(linkStatus);
      expect(values).toHaveLength(links.length);
      const latest = new Map(values.map((v) => [v.key, decoder.decode(v.value)]));
      links.forEach((link, i) => {
        const last = flaps(i) - 1;
        expect(latest.get(link), `state of link ${i}`).toBe(`${link}:${last}:${last % 2 ? "up" : "down"}`);
      });
      expect(values.every((v) => v.headers[Header.EventType]?.startsWith("kytos/topology.link_"))).toBe(true);
      // The broker holds one message per link: compaction happened there.
      for (const link of links) expect(await broker.messageCount(lastValueQueueOf(linkStatus, link))).toBe(1);
      // Reading did not consume: a second reader sees the same state.
      const again = await late.lastValues(linkStatus);
      expect(new Map(again.map((v) => [v.key, decoder.decode(v.value)]))).toEqual(latest);

      // A new flap replaces that link's state, and only that link's.
      await late.send([event(links[0]!, 100)]);
      const after = new Map((await late.lastValues(linkStatus)).map((v) => [v.key, decoder.decode(v.value)]));
      expect(after.get(links[0]!)).toBe(`${links[0]}:100:down`);
      expect(after.get(links[1]!)).toBe(latest.get(links[1]!));
      expect(after.size).toBe(links.length);
    } finally {
      await late.close();
    }
  });

  it("starts a new group subscribing fromBeginning from every link's latest state, then delivers new flaps", async () => {
    const consumer = createAmqpTransport(config);
    try {
      await consumer.ensureDestinations(specs);
      const state = new Map(
        (await consumer.lastValues(linkStatus)).map((v) => [v.key, decoder.decode(v.value)]),
      );
      expect(state.size).toBe(links.length);
      const group = unique("monitor");
      const reader = new Collector(
        await consumer.subscribe({
          group,
          destinations: [linkStatus],
          fromBeginning: true,
          maxInFlight: 100,
        }),
      );
      await reader.count(links.length, 10_000);
      const first = reader.records.slice(0, links.length);
      expect(new Map(first.map((r) => [r.key, decoder.decode(r.value)]))).toEqual(state);
      expect(new Set(first.map((r) => r.position.lane))).toEqual(
        new Set([`${group}.${linkStatus}#snapshot`]),
      );
      for (const r of first) await r.ack();

      await consumer.send([event(links[3]!, 200)]);
      await reader.count(links.length + 1, 10_000);
      const live = reader.records[links.length]!;
      expect(decoder.decode(live.value)).toBe(`${links[3]}:200:down`);
      await live.ack();
      await reader.close();

      // The group has a queue now: subscribing again resumes it, without a second snapshot.
      const again = new Collector(
        await consumer.subscribe({ group, destinations: [linkStatus], fromBeginning: true }),
      );
      await consumer.send([event(links[4]!, 201)]);
      await again.count(1, 10_000);
      expect(decoder.decode(again.records[0]!.value)).toBe(`${links[4]}:201:up`);
      await again.records[0]!.ack();
      await again.close();
    } finally {
      await consumer.close();
    }
  });

  it("refuses lastValues for a destination that is not compacted, saying what to do", async () => {
    const t = createAmqpTransport(config);
    try {
      await t.ensureDestinations(specs);
      await expect(t.lastValues("kytos.topology")).rejects.toThrow(/not a compacted destination/);
    } finally {
      await t.close();
    }
  });
});
