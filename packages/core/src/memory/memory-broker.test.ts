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
    expect(t.broker.stats("links")).toEqual({ records: 2, trimmed: 0, compacted: 98 });
  });

  it("trims the oldest records past the retention bound and counts them", async () => {
    const broker = createMemoryBroker({ maxRecordsPerPartition: 10 });
    const t = createMemoryTransport({ broker });
    await t.ensureDestinations([{ name: "d", partitions: 1 }]);
    await t.send(Array.from({ length: 25 }, (_, i) => rec("d", "k", `v${i}`)));
    expect(broker.stats("d")).toEqual({ records: 10, trimmed: 15, compacted: 0 });
    expect(broker.topic("d")!.partitions[0]!.startOffset).toBe(15);
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

  it("gives a reader from the beginning of a compacted destination only the latest record of each key", async () => {
    const t = createMemoryTransport();
    await t.ensureDestinations([{ name: "status", partitions: 3, compacted: true }]);
    for (let flap = 0; flap < 100; flap++) {
      await t.send(Array.from({ length: 5 }, (_, l) => rec("status", `link-${l}`, `link-${l}:${flap}`)));
    }
    const reader = new Collector(
      await t.subscribe({ group: "g", destinations: ["status"], fromBeginning: true }),
    );
    await reader.count(5, 1000);
    expect(reader.records.map((r) => new TextDecoder().decode(r.value)).sort()).toEqual(
      Array.from({ length: 5 }, (_, l) => `link-${l}:99`),
    );
    await Promise.all(reader.records.map((r) => r.ack()));
    await reader.close();
  });

  it("moves partitions to a joining member, redelivering there what the first member held unsettled", async () => {
    const t = createMemoryTransport();
    await t.ensureDestinations([{ name: "d", partitions: 4 }]);
    const a = new Collector(await t.subscribe({ group: "g", destinations: ["d"], fromBeginning: true }));
    await t.send(Array.from({ length: 40 }, (_, i) => rec("d", `k${i}`, `v${i}`)));
    await a.count(40, 1000);
    const b = new Collector(await t.subscribe({ group: "g", destinations: ["d"], fromBeginning: true }));
    // b takes two of the four partitions; every record a held there is revoked and comes to b.
    const at = (r: { position: { lane: string; offset: number } }) =>
      `${r.position.lane}@${r.position.offset}`;
    const lanesOf = (rs: readonly { position: { lane: string } }[]) =>
      new Set(rs.map((r) => r.position.lane));
    const heldByA = (lanes: Set<string>) => a.records.filter((r) => lanes.has(r.position.lane));
    await b.until(
      (rs) => lanesOf(rs).size === 2 && rs.length === heldByA(lanesOf(rs)).length,
      1000,
      "a's records of two partitions",
    );
    const moved = lanesOf(b.records);
    const revoked = heldByA(moved);
    expect(new Set(b.records.map(at))).toEqual(new Set(revoked.map(at)));
    await expect(revoked[0]!.ack()).rejects.toMatchObject({ code: "KE_CLOSED" });
    await Promise.all(a.records.filter((r) => !moved.has(r.position.lane)).map((r) => r.ack()));
    await Promise.all(b.records.map((r) => r.ack()));
    expect((await a.close()).unsettled).toBe(0);
    expect((await b.close()).unsettled).toBe(0);
  });

  it("skips, for a lagging group, the records retention trimmed, and counts them", async () => {
    const broker = createMemoryBroker({ maxRecordsPerPartition: 5 });
    const t = createMemoryTransport({ broker });
    await t.ensureDestinations([{ name: "d" }]);
    const reader = new Collector(
      await t.subscribe({ group: "g", destinations: ["d"], fromBeginning: true, maxInFlight: 1 }),
    );
    await t.send([rec("d", "k", "v0")]);
    await reader.count(1, 1000);
    // While v0 is being handled, 11 more arrive; retention keeps the last 5 of the 12.
    await t.send(Array.from({ length: 11 }, (_, i) => rec("d", "k", `v${i + 1}`)));
    await reader.until(
      (rs) => {
        for (const r of rs) void r.ack(); // one in flight at a time: settle each as it comes
        return rs.length >= 6;
      },
      1000,
      "v0 and the retained records",
    );
    expect(reader.records.map((r) => new TextDecoder().decode(r.value))).toEqual([
      "v0",
      "v7",
      "v8",
      "v9",
      "v10",
      "v11",
    ]);
    expect(broker.stats("d")?.trimmed).toBe(7);
    await reader.close();
  });

  it("dead-letters into an existing dead-letter destination of any partition count", async () => {
    const t = createMemoryTransport();
    await t.ensureDestinations([{ name: "d" }, { name: "d.dlq", partitions: 3 }]);
    const reader = new Collector(await t.subscribe({ group: "g", destinations: ["d"], fromBeginning: true }));
    await t.send([rec("d", "bad", "x")]);
    await reader.count(1, 1000);
    await reader.records[0]!.deadLetter("unreadable");
    const [copy] = t.broker.records("d.dlq");
    expect(copy?.headers["ke-dead-letter-reason"]).toBe("unreadable");
    expect(copy?.headers["ke-dead-letter-origin"]).toBe("d/0@0");
    expect((await reader.close()).unsettled).toBe(0);
  });

  it("partitions by key deterministically", () => {
    expect(partitionForKey("link-1", 8)).toBe(partitionForKey("link-1", 8));
    const spread = new Set(Array.from({ length: 100 }, (_, i) => partitionForKey(`k${i}`, 8)));
    expect(spread.size).toBe(8);
  });
});
