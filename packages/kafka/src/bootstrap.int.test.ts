// Bootstrapping a table from a compacted topic on the real broker (the link-status table of the
// consumer SDK): read from the beginning, apply and ack, and `caughtUp()` says when the table
// holds the latest state of every key as of the call — also after the broker's log cleaner
// has compacted the topic (offsets with gaps).
import { randomUUID } from "node:crypto";
import { ErrorCode, type InboundRecord, type OutboundRecord } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaTransport, type KafkaTransport } from "./kafka-transport.js";

const brokers = process.env.KAFKA_BROKERS!;
const timeout = 60_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const fresh = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const status = (topic: string, link: string, state: string): OutboundRecord => ({
  destination: topic,
  key: link,
  value: encoder.encode(state),
  headers: { "ke-event-type": "kytos/topology.link_status" },
});

// Segments roll after 100 ms and the cleaner runs at 1 % dirty: compaction happens within
// seconds, so the test sees a compacted log and not just a fresh one.
let transport: KafkaTransport;
const collectors: Collector[] = [];

beforeAll(async () => {
  transport = createKafkaTransport({
    brokers,
    topics: { compactionSegmentMs: 100, compactionDirtyRatio: "0.01" },
  });
  await transport.connect();
});

afterAll(async () => {
  await Promise.allSettled(collectors.map((c) => c.close()));
  await transport?.close();
}, timeout);

/** A table reader: applies every record (latest wins) and acks it, like a status table does. */
async function tableReader(topic: string) {
  const subscription = await transport.subscribe({
    group: fresh("table"),
    destinations: [topic],
    fromBeginning: true,
    maxInFlight: 5000,
  });
  const table = new Map<string, string>();
  let applied = 0;
  const reader = (async () => {
    for await (const record of subscription) {
      table.set(record.key!, decoder.decode(record.value));
      applied++;
      await record.ack();
    }
  })();
  return {
    subscription,
    table,
    applied: () => applied,
    close: async () => {
      await subscription.close();
      await reader;
    },
  };
}

describe("kafka compacted-topic bootstrap", () => {
  it("caughtUp() resolves once the latest state of every key is applied, on a compacted log", async () => {
    const topic = fresh("kytos.status.link");
    await transport.ensureDestinations([{ name: topic, partitions: 3, compacted: true }]);
    const links = Array.from({ length: 100 }, (_, i) => `link-${i}`);
    const rounds = 8;
    let sent = 0;
    for (let round = 0; round < rounds; round++) {
      await transport.send(links.map((l) => status(topic, l, `state-${round}`)));
      sent += links.length;
      // segment.ms is a time: each round after 100 ms rolls a segment the cleaner may compact.
      await new Promise((r) => setTimeout(r, 150));
    }
    await transport.send(links.map((l) => status(topic, l, "final")));
    sent += links.length;

    // Re-read until the cleaner has compacted: each read must be a complete, latest table.
    const deadline = Date.now() + timeout;
    for (;;) {
      const t = await tableReader(topic);
      await t.subscription.caughtUp();
      expect(t.table.size).toBe(links.length);
      for (const l of links) expect(t.table.get(l), l).toBe("final");
      const applied = t.applied();
      await t.close();
      if (applied < sent) break; // compacted: fewer records than were written
      if (Date.now() > deadline) throw new Error(`no compaction within ${timeout} ms (${applied} records)`);
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  it("caughtUp() resolves at once on an empty topic and when the group is already at the end", async () => {
    const topic = fresh("kytos.status.switch");
    await transport.ensureDestinations([{ name: topic, partitions: 2, compacted: true }]);
    const empty = await tableReader(topic);
    await empty.subscription.caughtUp();
    expect(empty.table.size).toBe(0);
    await empty.close();

    await transport.send([status(topic, "sw-1", "up")]);
    const group = fresh("table");
    const first = await transport.subscribe({ group, destinations: [topic], fromBeginning: true });
    const firstReader = new Collector(first);
    collectors.push(firstReader);
    await firstReader.count(1, timeout);
    await firstReader.records[0]!.ack(); // resolves once committed
    await firstReader.close();
    const again = await transport.subscribe({ group, destinations: [topic], fromBeginning: true });
    await again.caughtUp(); // committed offset == log end: nothing to wait for
    await again.close();
  });

  it("caughtUp() waits for settlement: one unsettled record holds it back until acked", async () => {
    const topic = fresh("kytos.status.interface");
    await transport.ensureDestinations([{ name: topic, partitions: 1, compacted: true }]);
    await transport.send(["a", "b", "c"].map((k) => status(topic, k, "up")));
    const sub = await transport.subscribe({
      group: fresh("table"),
      destinations: [topic],
      fromBeginning: true,
    });
    const reader = new Collector(sub);
    collectors.push(reader);
    let caughtUp = false;
    const waiting = sub.caughtUp().then(() => {
      caughtUp = true;
    });
    await reader.count(3, timeout);
    const held: InboundRecord = reader.records[1]!;
    await Promise.all([reader.records[0]!.ack(), reader.records[2]!.ack()]);
    // Acks resolve after their commit; caughtUp had every chance to (wrongly) resolve by now.
    expect(caughtUp).toBe(false);
    await held.ack();
    await waiting;
    expect(caughtUp).toBe(true);
  });

  it("caughtUp() rejects with KE_CLOSED when the subscription closes before catching up", async () => {
    const topic = fresh("kytos.status.closed");
    await transport.ensureDestinations([{ name: topic, partitions: 1, compacted: true }]);
    await transport.send([status(topic, "l", "down")]);
    const sub = await transport.subscribe({
      group: fresh("table"),
      destinations: [topic],
      fromBeginning: true,
    });
    const waiting = sub.caughtUp().catch((e: unknown) => e);
    const reader = new Collector(sub);
    await reader.count(1, timeout);
    const report = await reader.close(); // never acked
    expect(report.unsettled).toBe(1);
    expect(await waiting).toMatchObject({ code: ErrorCode.Closed });
  });
});
