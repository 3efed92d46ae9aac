import { createMemoryBroker, type KytosEventsError, MetricName, RecordingMetrics } from "@kytos-events/core";
import { kytosEventFixtures, linkId } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import type { ErrorContext } from "./config.js";
import { createProducer } from "./producer.js";
import { envelopes, memoryLane, waitFor } from "./test-support.js";

const fast = { initialDelayMs: 1, maxDelayMs: 10 };
const linkDown = (n: number) => ({ link: { id: linkId }, reason: `flap ${n}` });

describe("broker outage", () => {
  it("keeps publish non-throwing while the broker is down; after it returns every event arrives in order", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane], retry: fast });
    await producer.ready();
    broker.setAvailable(false);
    const receipts = Array.from({ length: 2000 }, (_, i) =>
      producer.publish("kytos/topology.link_down", linkDown(i)),
    );
    expect(receipts.every((r) => r.accepted)).toBe(true);
    await waitFor(() => producer.stats().lanes[0]!.retries >= 3, 5000, "retries while the broker is down");
    expect(broker.records("kytos.events")).toHaveLength(0);
    expect(producer.stats().lanes[0]!.buffered + producer.stats().lanes[0]!.inFlight).toBe(2000);
    broker.setAvailable(true);
    expect(await producer.flush()).toBe(true);
    expect(envelopes(broker, "kytos.events").map((e) => Number(e.sequence))).toEqual(
      Array.from({ length: 2000 }, (_, i) => i + 1),
    );
    // The status destination is compacted: the latest state of the link survives.
    expect(envelopes(broker, "kytos.status.link").at(-1)!.sequence).toBe(2000n);
    expect((await Promise.all(receipts.map((r) => r.durable))).every((r) => r.ok)).toBe(true);
    expect(producer.stats().lanes[0]).toMatchObject({ delivered: 2000, failed: 0 });
    await producer.close();
  });

  it("drop-oldest keeps the newest events when the buffer is full and counts each drop", async () => {
    const { broker, lane } = memoryLane("memory", { buffer: { maxEvents: 10 } });
    const metrics = new RecordingMetrics();
    const producer = createProducer({ source: "ctl-1", lanes: [lane], retry: fast, metrics });
    await producer.ready();
    broker.setAvailable(false);
    const receipts = Array.from({ length: 25 }, (_, i) =>
      producer.publish("kytos/topology.link_down", linkDown(i)),
    );
    const dropped = await Promise.all(receipts.slice(0, 15).map((r) => r.durable));
    expect(
      dropped.every(
        (r) => !r.ok && r.lanes[0]?.status === "dropped" && r.lanes[0].reason === "overflow-oldest",
      ),
    ).toBe(true);
    broker.setAvailable(true);
    await producer.flush();
    expect(envelopes(broker, "kytos.events").map((e) => Number(e.sequence))).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 16),
    );
    expect(producer.stats().lanes[0]!.dropped).toEqual({
      "overflow-oldest": 15,
      "overflow-newest": 0,
      "spool-full": 0,
      closed: 0,
    });
    expect(metrics.counter(MetricName.Dropped, { lane: "memory", reason: "overflow-oldest" })).toBe(15);
    await producer.close();
  });

  it("drop-newest keeps the oldest events when the buffer is full and counts each drop", async () => {
    const { broker, lane } = memoryLane("memory", { buffer: { maxEvents: 10, overflow: "drop-newest" } });
    const producer = createProducer({ source: "ctl-1", lanes: [lane], retry: fast });
    await producer.ready();
    broker.setAvailable(false);
    const receipts = Array.from({ length: 25 }, (_, i) =>
      producer.publish("kytos/topology.link_down", linkDown(i)),
    );
    // Let the pump fail a send and put its batch back while the buffer is full.
    await waitFor(() => producer.stats().lanes[0]!.retries >= 2, 5000, "failed sends");
    broker.setAvailable(true);
    await producer.flush();
    expect(envelopes(broker, "kytos.events").map((e) => Number(e.sequence))).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(producer.stats().lanes[0]!.dropped["overflow-newest"]).toBe(15);
    const reports = await Promise.all(receipts.map((r) => r.durable));
    expect(reports.filter((r) => r.ok)).toHaveLength(10);
    await producer.close();
  });

  it("one lane's outage does not stall another lane (hybrid fan-out)", async () => {
    const down = memoryLane("down");
    const up = memoryLane("up");
    const producer = createProducer({ source: "ctl-1", lanes: [down.lane, up.lane], retry: fast });
    await producer.ready();
    down.broker.setAvailable(false);
    const receipts = Array.from({ length: 300 }, (_, i) =>
      producer.publish("kytos/topology.link_down", linkDown(i)),
    );
    await waitFor(
      () => up.broker.records("kytos.events").length === 300,
      5000,
      "the healthy lane to deliver",
    );
    expect(down.broker.records("kytos.events")).toHaveLength(0);
    const [downStats, upStats] = producer.stats().lanes;
    expect(upStats).toMatchObject({ delivered: 300, buffered: 0 });
    expect(downStats!.delivered).toBe(0);
    down.broker.setAvailable(true);
    await producer.flush();
    expect(envelopes(down.broker, "kytos.events").map((e) => e.id)).toEqual(receipts.map((r) => r.id));
    const report = await receipts[0]!.durable;
    expect(report.lanes.map((l) => [l.lane, l.status]).sort()).toEqual([
      ["down", "delivered"],
      ["up", "delivered"],
    ]);
    await producer.close();
  });

  it("reports and counts a record the broker refuses for good, and keeps sending the rest", async () => {
    const tight = memoryLane("memory", {}, createMemoryBroker({ maxMessageBytes: 600 }));
    const errors: [KytosEventsError, ErrorContext][] = [];
    const producer = createProducer({
      source: "ctl-1",
      lanes: [tight.lane],
      retry: fast,
      onError: (e, c) => errors.push([e, c]),
    });
    const topology = kytosEventFixtures.find((f) => f.name === "kytos/topology.updated")!;
    const big = producer.publishKytos(topology.name, topology.content);
    const after = producer.publish("kytos/topology.link_down", linkDown(1));
    const bigReport = await big.durable;
    expect(bigReport.ok).toBe(false);
    expect(bigReport.lanes[0]).toMatchObject({ status: "failed", error: { code: "KE_MESSAGE_TOO_LARGE" } });
    expect((await after.durable).ok).toBe(true);
    expect(errors.map(([e, c]) => [e.code, c.phase, c.lane])).toEqual([
      ["KE_MESSAGE_TOO_LARGE", "send", "memory"],
    ]);
    expect(producer.stats().lanes[0]).toMatchObject({ failed: 1, delivered: 1, retries: 0 });
    expect(envelopes(tight.broker, "kytos.events").map((e) => e.type)).toEqual(["kytos/topology.link_down"]);
    await producer.close();
  });

  it("fails events after a finite retry limit instead of waiting forever", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane], retry: { ...fast, maxRetries: 2 } });
    await producer.ready();
    broker.setAvailable(false);
    const receipt = producer.publish("kytos/topology.link_down", linkDown(1));
    const report = await receipt.durable;
    expect(report.lanes[0]).toMatchObject({ status: "failed", error: { code: "KE_TRANSPORT_UNAVAILABLE" } });
    expect(producer.stats().lanes[0]).toMatchObject({ failed: 1, retries: 2 });
    await producer.close({ timeoutMs: 0 });
  });

  it("close during an outage reports what could not be sent, and their receipts say so", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane], retry: fast });
    await producer.ready();
    broker.setAvailable(false);
    const receipts = Array.from({ length: 50 }, (_, i) =>
      producer.publish("kytos/topology.link_down", linkDown(i)),
    );
    const report = await producer.close({ timeoutMs: 50 });
    expect(report).toEqual({
      drained: false,
      lost: 50,
      lanes: [{ lane: "memory", spooled: 0, lost: 50, spoolBacklogBytes: 0 }],
    });
    const reports = await Promise.all(receipts.map((r) => r.durable));
    expect(reports.every((r) => r.lanes[0]?.status === "dropped" && r.lanes[0].reason === "closed")).toBe(
      true,
    );
    expect(producer.stats().lanes[0]!.dropped.closed).toBe(50);
  });
});
