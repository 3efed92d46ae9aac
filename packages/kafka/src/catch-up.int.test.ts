// caughtUp() on the real broker when the first assignment a member gets is empty: a second
// member of a group whose one partition another member holds. It must wait until it holds a
// partition and has read it to the end, not resolve on the empty assignment with nothing read.
import { randomUUID } from "node:crypto";
import type { OutboundRecord } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { createKafkaTransport } from "./kafka-transport.js";

const brokers = process.env.KAFKA_BROKERS!;
const timeout = 90_000;
const fresh = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
}, timeout);

/** Resolves once the broker reports the group stable with `members` members. */
async function groupStable(group: string, members: number): Promise<void> {
  const admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (let waited = 0; ; waited += 200) {
      const [described] = (await admin.describeGroups([group])).groups;
      if (described?.state === "Stable" && described.members.length === members) return;
      if (waited > timeout) throw new Error(`group ${group} did not become stable with ${members} members`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

describe("kafka caughtUp() and the first assignment", () => {
  it(
    "a member whose first assignment is empty waits until it holds the partition and has read it to the end",
    async () => {
      const topic = fresh("kytos.status.link.catch-up");
      const group = fresh("table");
      const records: OutboundRecord[] = ["a", "b", "c", "d", "e"].map((key) => ({
        destination: topic,
        key,
        value: new TextEncoder().encode(key),
        headers: { "ke-event-type": "kytos/topology.link_up" },
      }));
      // The broker names members "<clientId>-<uuid>" and kafkajs' round-robin assignor gives the
      // one partition to the first member id in order: "a-…" keeps it when "z-…" joins.
      const first = createKafkaTransport({ brokers, clientId: "a-holder" });
      const second = createKafkaTransport({ brokers, clientId: "z-waiter" });
      closers.push(
        () => first.close(),
        () => second.close(),
      );
      await first.ensureDestinations([{ name: topic, partitions: 1, compacted: true }]);
      await first.send(records);

      const holder = await first.subscribe({ group, destinations: [topic], fromBeginning: true });
      const held = new Collector(holder); // never acks: the group's position stays at 0
      closers.push(() => holder.close());
      await held.count(1, timeout);

      const waiter = await second.subscribe({ group, destinations: [topic], fromBeginning: true });
      closers.push(() => waiter.close());
      let read = 0;
      const reading = (async () => {
        for await (const record of waiter) {
          read++;
          await record.ack();
        }
      })();
      const readAtCaughtUp = waiter.caughtUp().then(() => read);
      await groupStable(group, 2); // the waiter has joined, with no partition

      await holder.close(); // the partition moves to the waiter, from offset 0
      expect(await readAtCaughtUp).toBe(records.length);
      await waiter.close();
      await reading;
    },
    timeout * 2,
  );
});
