import { appendFileSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KytosEventsError } from "@kytos-events/core";
import { linkId } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import type { ErrorContext } from "./config.js";
import { createProducer } from "./producer.js";
import { createFileSequenceStore } from "./sequence/sequence-store.js";
import { envelopes, memoryLane, waitFor } from "./test-support.js";

const fast = { initialDelayMs: 1, maxDelayMs: 10 };
const linkDown = (n: number) => ({ link: { id: linkId }, reason: `flap ${n}` });
const tempDir = () => mkdtempSync(join(tmpdir(), "kytos-producer-"));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("spool", () => {
  it("keeps every event of an outage longer than the buffer, in order", async () => {
    const { broker, lane } = memoryLane("memory", { buffer: { maxEvents: 20 } });
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      retry: fast,
      spool: { dir: tempDir() },
    });
    await producer.ready();
    broker.setAvailable(false);
    const receipts = range(1, 1000).map((n) => producer.publish("kytos/topology.link_down", linkDown(n)));
    const spooled = await Promise.all(receipts.slice(100).map((r) => r.durable));
    expect(spooled.every((r) => r.ok && r.lanes[0]?.status === "spooled")).toBe(true);
    expect(producer.stats().lanes[0]!.spool!.backlogBytes).toBeGreaterThan(0);
    broker.setAvailable(true);
    expect(await producer.flush()).toBe(true);
    expect(envelopes(broker, "kytos.events").map((e) => Number(e.sequence))).toEqual(range(1, 1000));
    const stats = producer.stats().lanes[0]!;
    expect(stats.dropped).toEqual({ "overflow-oldest": 0, "overflow-newest": 0, "spool-full": 0, closed: 0 });
    expect(stats.spool).toMatchObject({ backlogBytes: 0, lostRecords: 0 });
    expect(stats.spool!.replayed).toBe(stats.spool!.appended);
    await producer.close();
  });

  it("keeps order when new events arrive while the spool is being replayed", async () => {
    const { broker, lane } = memoryLane("memory", { buffer: { maxEvents: 10 } });
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      retry: fast,
      batch: { maxEvents: 5 },
      spool: { dir: tempDir(), segmentBytes: 4096 },
    });
    await producer.ready();
    broker.setAvailable(false);
    for (const n of range(1, 300)) producer.publish("kytos/topology.link_down", linkDown(n));
    broker.setAvailable(true);
    for (const n of range(301, 600)) {
      producer.publish("kytos/topology.link_down", linkDown(n));
      if (n % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await producer.flush();
    expect(envelopes(broker, "kytos.events").map((e) => Number(e.sequence))).toEqual(range(1, 600));
    await producer.close();
  });

  it("counts events the full spool cannot take as spool-full drops", async () => {
    const { broker, lane } = memoryLane("memory", { buffer: { maxEvents: 5 } });
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      retry: fast,
      spool: { dir: tempDir(), maxBytes: 4000 },
    });
    await producer.ready();
    broker.setAvailable(false);
    const receipts = range(1, 100).map((n) => producer.publish("kytos/topology.link_down", linkDown(n)));
    const reports = await Promise.all(receipts.slice(5).map((r) => r.durable));
    const full = reports.filter(
      (r) => r.lanes[0]?.status === "dropped" && r.lanes[0].reason === "spool-full",
    );
    expect(full.length).toBeGreaterThan(0);
    expect(producer.stats().lanes[0]!.dropped["spool-full"]).toBe(full.length);
    broker.setAvailable(true);
    await producer.flush();
    const sent = envelopes(broker, "kytos.events").map((e) => Number(e.sequence));
    expect(sent).toHaveLength(100 - full.length);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    await producer.close();
  });

  it("survives a restart: what was left in memory and on disk is sent first by the next producer, in order", async () => {
    const dir = tempDir();
    const sequenceStore = createFileSequenceStore(join(dir, "sequence.json"));
    const first = memoryLane("memory", { buffer: { maxEvents: 30 } });
    const before = createProducer({
      source: "ctl-1",
      lanes: [first.lane],
      retry: fast,
      spool: { dir },
      sequenceStore,
    });
    await before.ready();
    first.broker.setAvailable(false);
    for (const n of range(1, 200)) before.publish("kytos/topology.link_down", linkDown(n));
    const report = await before.close({ timeoutMs: 20 });
    expect(report.lost).toBe(0);
    expect(report.lanes[0]!.spooled).toBeGreaterThan(0); // the buffer's 30 went to the front of the spool
    expect(report.lanes[0]!.spoolBacklogBytes).toBeGreaterThan(0);

    const second = memoryLane("memory");
    const after = createProducer({
      source: "ctl-1",
      lanes: [second.lane],
      retry: fast,
      spool: { dir },
      sequenceStore,
    });
    for (const n of range(201, 250)) after.publish("kytos/topology.link_down", linkDown(n));
    await after.flush();
    expect(envelopes(second.broker, "kytos.events").map((e) => Number(e.sequence))).toEqual(range(1, 250));
    await after.close();
  });

  it("cuts a torn record off the spool's end on restart, counts and reports it, and replays the rest", async () => {
    const dir = tempDir();
    const first = memoryLane("memory", { buffer: { maxEvents: 1 } });
    const before = createProducer({ source: "ctl-1", lanes: [first.lane], retry: fast, spool: { dir } });
    await before.ready();
    first.broker.setAvailable(false);
    for (const n of range(1, 50)) before.publish("kytos/topology.link_down", linkDown(n));
    await before.close({ timeoutMs: 0 });
    const laneDir = join(dir, "memory");
    const last = readdirSync(laneDir)
      .filter((f) => f.endsWith(".seg"))
      .sort()
      .at(-1)!;
    appendFileSync(join(laneDir, last), Buffer.from([0, 0, 1, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3])); // a write cut short

    const errors: [KytosEventsError, ErrorContext][] = [];
    const second = memoryLane("memory");
    const after = createProducer({
      source: "ctl-2",
      lanes: [second.lane],
      retry: fast,
      spool: { dir },
      onError: (e, c) => errors.push([e, c]),
    });
    expect(after.stats().lanes[0]!.spool!.truncatedBytes).toBe(11);
    expect(errors.map(([e, c]) => [c.phase, c.lane, /torn record/.test(e.message)])).toEqual([
      ["spool", "memory", true],
    ]);
    await after.flush();
    const replayed = envelopes(second.broker, "kytos.events");
    expect(replayed.map((e) => [e.source, Number(e.sequence)])).toEqual(
      range(1, 50).map((n) => ["ctl-1", n]),
    );
    await after.close();
  });

  it("a spooled lane's outage does not stall a healthy lane", async () => {
    const down = memoryLane("down", { buffer: { maxEvents: 5 } });
    const up = memoryLane("up");
    const producer = createProducer({
      source: "ctl-1",
      lanes: [down.lane, up.lane],
      retry: fast,
      spool: { dir: tempDir() },
    });
    await producer.ready();
    down.broker.setAvailable(false);
    for (const n of range(1, 200)) producer.publish("kytos/topology.link_down", linkDown(n));
    await waitFor(() => up.broker.records("kytos.events").length === 200, 5000, "the healthy lane");
    down.broker.setAvailable(true);
    await producer.flush();
    expect(envelopes(down.broker, "kytos.events").map((e) => Number(e.sequence))).toEqual(range(1, 200));
    await producer.close();
  });
});
