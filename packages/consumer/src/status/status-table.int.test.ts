// LinkStatusTable on real Kafka: 10k link flaps over 500 links are in a compacted topic before
// the table starts; after ready() the table equals each link's last state, and the change
// listeners ran far fewer times than there were events. Then it follows live events. Kafka
// compacts in the background (segment.ms), so the table may read every flap: the coalescing
// shown here is the table's own.
import { randomUUID } from "node:crypto";
import { encodeEnvelope, type OutboundRecord } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import type { Envelope } from "@kytos-events/schema";
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
    expect(notifications).toBeGreaterThanOrEqual(last.size);
    expect(notifications).toBeLessThan(flaps.length / 5);
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
