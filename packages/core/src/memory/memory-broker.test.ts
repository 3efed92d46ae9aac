import { describe, expect, it } from "vitest";
import { Collector } from "../testkit/collector.js";
import { SendError } from "../transport/send-error.js";
import { createMemoryBroker, createMemoryTransport } from "./memory-transport.js";
import { partitionForKey } from "./partition-for-key.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const rec = (destination: string, key: string, value: string) => ({
  destination,
  key,
  value: bytes(value),
  headers: {},
});

describe("memory broker", () => {
  it("keeps only the latest record per key on a compacted destination", async () => {
    const t = createMemoryTransport();
    await t.ensureDestinations([{ name: "links", partitions: 2, compacted: true }]);
    for (let flap = 0; flap < 50; flap++) {
      await t.send([rec("links", "l1", `l1:${flap}`), rec("links", "l2", `l2:${flap}`)]);
    }
    const latest = t.broker.records("links").map((r) => new TextDecoder().decode(r.value));
    expect(latest.sort()).toEqual(["l1:49", "l2:49"]);
  });

  it("trims the oldest records past the retention bound and counts them", async () => {
    const broker = createMemoryBroker({ maxRecordsPerPartition: 10 });
    const t = createMemoryTransport({ broker });
    await t.ensureDestinations([{ name: "d", partitions: 1 }]);
    await t.send(Array.from({ length: 25 }, (_, i) => rec("d", "k", `v${i}`)));
    const log = broker.topic("d")!.partitions[0]!;
    expect(log.size).toBe(10);
    expect(log.trimmed).toBe(15);
    expect(log.startOffset).toBe(15);
  });

  it("fails sends as retriable during a simulated outage and accepts them after", async () => {
    const broker = createMemoryBroker();
    const t = createMemoryTransport({ broker });
    await t.ensureDestinations([{ name: "d" }]);
    broker.setAvailable(false);
    const err = await t.send([rec("d", "k", "x")]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendError);
    expect((err as SendError).retriable).toBe(true);
    broker.setAvailable(true);
    await t.send([rec("d", "k", "x")]);
    expect(broker.records("d")).toHaveLength(1);
  });

  it("refuses to redefine a destination with other settings", async () => {
    const t = createMemoryTransport();
    await t.ensureDestinations([{ name: "d", partitions: 3 }]);
    await expect(t.ensureDestinations([{ name: "d", partitions: 1 }])).rejects.toMatchObject({
      code: "KE_TOPOLOGY_CONFLICT",
    });
    await expect(t.subscribe({ group: "g", destinations: ["missing"] })).rejects.toMatchObject({
      code: "KE_CONFIG_INVALID",
    });
  });

  it("shares one broker between a producer-side and a consumer-side transport", async () => {
    const broker = createMemoryBroker();
    const producer = createMemoryTransport({ broker });
    const consumer = createMemoryTransport({ broker });
    await producer.ensureDestinations([{ name: "d", partitions: 2 }]);
    const reader = new Collector(
      await consumer.subscribe({ group: "g", destinations: ["d"], fromBeginning: true }),
    );
    await producer.send([rec("d", "a", "1"), rec("d", "b", "2")]);
    await reader.count(2, 1000);
    await reader.close();
  });

  it("moves a leaving member's partitions, with their unsettled records, to the remaining member", async () => {
    const t = createMemoryTransport();
    await t.ensureDestinations([{ name: "d", partitions: 4 }]);
    const a = new Collector(await t.subscribe({ group: "g", destinations: ["d"], fromBeginning: true }));
    const b = new Collector(await t.subscribe({ group: "g", destinations: ["d"], fromBeginning: true }));
    await t.send(Array.from({ length: 40 }, (_, i) => rec("d", `k${i}`, `v${i}`)));
    await a.until(() => a.records.length + b.records.length === 40, 1000, "40 records");
    expect(a.records.length).toBeGreaterThan(0);
    expect(b.records.length).toBeGreaterThan(0);
    await Promise.all(a.records.map((r) => r.ack()));
    const leftBehind = b.records.length;
    const before = a.records.length;
    expect((await b.close()).unsettled).toBe(leftBehind);
    await a.count(before + leftBehind, 1000);
    const values = new Set(a.records.map((r) => new TextDecoder().decode(r.value)));
    expect(values.size).toBe(40);
    await expect(b.records[0]!.ack()).rejects.toMatchObject({ code: "KE_CLOSED" });
    await a.close();
  });

  it("partitions by key deterministically", () => {
    expect(partitionForKey("link-1", 8)).toBe(partitionForKey("link-1", 8));
    const spread = new Set(Array.from({ length: 100 }, (_, i) => partitionForKey(`k${i}`, 8)));
    expect(spread.size).toBe(8);
  });
});
