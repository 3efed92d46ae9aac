// The consumer side on the real RabbitMQ, beyond the contract kit: retries wait in delay
// queues without a long delay holding back a short one; dead letters land in the dead-letter
// queue even when nobody reads it; a broker redelivery raises the attempt; the quorum queue's
// delivery limit dead-letters a poison message that keeps crashing its consumers; and a
// single active consumer gets the whole queue until it leaves.
import { Header, type InboundRecord, type OutboundRecord } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AmqpTransport, createAmqpTransport } from "./amqp-transport.js";
import type { AmqpTransportConfig } from "./config.js";
import { amqpUrl, BrokerView, TEST_QUEUE_EXPIRES_MS, unique, waitFor } from "./test-support.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (r: InboundRecord) => decoder.decode(r.value);

describe("consuming from RabbitMQ", () => {
  let broker: BrokerView;
  const transports: AmqpTransport[] = [];
  const open: Collector[] = [];

  beforeAll(async () => {
    broker = await BrokerView.open();
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.close()));
    await Promise.allSettled(transports.map((t) => t.close()));
    await broker?.close();
  });

  async function setUp(extra: AmqpTransportConfig = {}) {
    const transport = createAmqpTransport({
      url: amqpUrl(),
      queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
      ...extra,
    });
    transports.push(transport);
    const dest = unique("consume");
    const type = `kytos/${dest.replace("-", "_")}.event`;
    await transport.ensureDestinations([{ name: dest, eventPrefixes: [type] }]);
    const record = (value: string, key = "k"): OutboundRecord => ({
      destination: dest,
      key,
      value: encoder.encode(value),
      headers: { [Header.EventType]: type },
    });
    const subscribe = async (group: string, maxInFlight = 100) => {
      const c = new Collector(await transport.subscribe({ group, destinations: [dest], maxInFlight }));
      open.push(c);
      return c;
    };
    return { transport, dest, record, subscribe };
  }

  it("delivers a short retry before a longer one requested earlier (delay queues per delay)", async () => {
    const { transport, record, subscribe } = await setUp();
    const reader = await subscribe(unique("g"));
    await transport.send([record("slow"), record("fast")]);
    await reader.count(2, 10_000);
    const retriedAt = Date.now();
    await reader.records[0]!.retry({ delayMs: 3000 });
    await reader.records[1]!.retry({ delayMs: 100 });
    await reader.count(3, 10_000);
    expect(text(reader.records[2]!)).toBe("fast");
    await reader.count(4, 10_000);
    expect(text(reader.records[3]!)).toBe("slow");
    expect(Date.now() - retriedAt, "the slow retry not before its delay").toBeGreaterThanOrEqual(3000);
    expect(reader.records.slice(2).map((r) => r.attempt)).toEqual([2, 2]);
    for (const r of reader.records.slice(2)) await r.ack();
  });

  it("keeps a dead letter in the dead-letter queue with the reason, even when no group reads it", async () => {
    const { transport, dest, record, subscribe } = await setUp();
    const reader = await subscribe(unique("g"));
    await transport.send([record("poison", "evc-9")]);
    await reader.count(1, 10_000);
    await reader.records[0]!.deadLetter("payload does not decode");
    expect(await broker.messageCount(`${dest}.dlq`)).toBe(1);
    const copy = await broker.withChannel((ch) => ch.get(`${dest}.dlq`, { noAck: true }));
    if (!copy) throw new Error("the dead-letter queue is empty");
    expect(copy.content.toString()).toBe("poison");
    const headers = copy.properties.headers ?? {};
    expect(headers[Header.DeadLetterReason]).toBe("payload does not decode");
    expect(String(headers[Header.DeadLetterOrigin])).toContain(dest);
    expect(headers[Header.Key]).toBe("evc-9");
  });

  for (const queueType of ["quorum", "classic"] as const) {
    it(`raises the attempt of a message the broker redelivers after a consumer left (${queueType} queue)`, async () => {
      const { transport, record, subscribe } = await setUp({ queueType });
      const group = unique("g");
      const first = await subscribe(group);
      await transport.send([record("again")]);
      await first.count(1, 10_000);
      expect(first.records[0]!.attempt).toBe(1);
      expect((await first.close()).unsettled).toBe(1);
      const second = await subscribe(group);
      await second.count(1, 10_000);
      expect(text(second.records[0]!)).toBe("again");
      expect(second.records[0]!.attempt).toBe(2);
      await second.records[0]!.ack();
    });
  }

  it("dead-letters a poison message after the quorum delivery limit when consumers keep dying on it", async () => {
    const { transport, dest, record, subscribe } = await setUp({ deliveryLimit: 2 });
    const group = unique("g");
    await (await subscribe(group)).close(); // the group's queue exists before the send
    await transport.send([record("crashes-everyone")]);
    let deliveries = 0;
    for (let round = 0; round < 6 && (await broker.messageCount(`${dest}.dlq`)) === 0; round++) {
      const victim = await subscribe(group);
      await victim
        .count(1, 3000)
        .then(() => deliveries++)
        .catch(() => {});
      await victim.close(); // "crash": never settled
    }
    await waitFor(
      async () => (await broker.messageCount(`${dest}.dlq`)) === 1,
      10_000,
      "the poison message in the DLQ",
    );
    expect(deliveries).toBe(3); // the first delivery and the 2 redeliveries the limit allows
    expect(await broker.messageCount(`${group}.${dest}`)).toBe(0);
  });

  it("gives a single active consumer the whole queue, in order, and hands over when it leaves", async () => {
    const { transport, record, subscribe } = await setUp({ singleActiveConsumer: true });
    const group = unique("g");
    const active = await subscribe(group);
    const standby = await subscribe(group);
    await transport.send(Array.from({ length: 20 }, (_, i) => record(`m${i}`, `k${i % 4}`)));
    await active.count(20, 10_000);
    expect(active.records.map(text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    expect(standby.records).toHaveLength(0);
    for (const r of active.records) await r.ack();
    await active.close();
    await transport.send(Array.from({ length: 5 }, (_, i) => record(`n${i}`)));
    await standby.count(5, 10_000);
    expect(standby.records.map(text)).toEqual(Array.from({ length: 5 }, (_, i) => `n${i}`));
    for (const r of standby.records) await r.ack();
  });
});
