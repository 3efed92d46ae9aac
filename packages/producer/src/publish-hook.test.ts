import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { createEnvelope, ErrorCode, Header, type LogFields } from "@kytos-events/core";
import { TopologyLinkDownSchema } from "@kytos-events/schema";
import { kytosEventFixtures, linkId } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import { createProducer } from "./producer.js";
import type { PublishHookEvent } from "./publish-hook.js";
import type { LaneDelivery } from "./receipt.js";
import { memoryLane, waitFor } from "./test-support.js";

const linkDown = { link: { id: linkId }, reason: "liveness down" };
const fast = { initialDelayMs: 1, maxDelayMs: 10 };

function errorLog() {
  const lines: { message: string; fields?: LogFields }[] = [];
  const noop = () => {};
  const logger = {
    debug: noop,
    info: noop,
    warn: noop,
    error: (message: string, fields?: LogFields) => lines.push({ message, ...(fields ? { fields } : {}) }),
  };
  return { lines, logger };
}

describe("onPublish hook", () => {
  it("is called once per lane that takes the event, with the event, the lane and its destinations", async () => {
    const kafkaLike = memoryLane("a");
    const filtered = memoryLane("b", { filter: { allow: ["kytos/mef_eline\\..*"] } });
    const seen: PublishHookEvent[] = [];
    const producer = createProducer({
      source: "ctl-1",
      lanes: [kafkaLike.lane, filtered.lane],
      onPublish: (event) => {
        seen.push(event);
        return undefined;
      },
    });
    const receipt = producer.publish("kytos/topology.link_down", linkDown);
    expect(seen).toEqual([
      {
        id: receipt.id,
        type: "kytos/topology.link_down",
        key: linkId,
        sequence: 1n,
        lane: "a",
        transport: "memory",
        destinations: ["kytos.topology", "kytos.events", "kytos.status.link"],
      },
    ]);
    await producer.close();
  });

  it("adds its headers to every record of that lane, the SDK's own headers winning a clash", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      onPublish: () => ({
        headers: {
          traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
          [Header.Source]: "x",
        },
      }),
    });
    const receipt = producer.publish("kytos/topology.link_down", linkDown);
    expect((await receipt.durable).ok).toBe(true);
    for (const destination of ["kytos.topology", "kytos.events", "kytos.status.link"]) {
      const [record] = broker.records(destination);
      expect(record!.headers.traceparent).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      expect(record!.headers[Header.Source]).toBe("ctl-1");
      expect(record!.headers[Header.EventId]).toBe(receipt.id);
    }
    await producer.close();
  });

  it("tells each lane's outcome to that lane's settled callback: delivered on one, dropped on another", async () => {
    const up = memoryLane("up");
    const down = memoryLane("down", { buffer: { maxEvents: 1, overflow: "drop-newest" } });
    const outcomes = new Map<string, string[]>();
    const producer = createProducer({
      source: "ctl-1",
      lanes: [up.lane, down.lane],
      retry: fast,
      onPublish: (event) => ({
        settled: (delivery: LaneDelivery) => {
          const seen = outcomes.get(event.id) ?? [];
          seen.push(`${event.lane}→${delivery.lane}: ${delivery.status} ${delivery.reason ?? ""}`.trim());
          outcomes.set(event.id, seen);
        },
      }),
    });
    await producer.ready();
    down.broker.setAvailable(false);
    const first = producer.publish("kytos/topology.link_down", linkDown);
    const second = producer.publish("kytos/topology.link_down", linkDown);
    await second.durable;
    expect(outcomes.get(second.id)?.sort()).toEqual([
      "down→down: dropped overflow-newest",
      "up→up: delivered",
    ]);
    down.broker.setAvailable(true);
    await first.durable;
    expect(outcomes.get(first.id)?.sort()).toEqual(["down→down: delivered", "up→up: delivered"]);
    await producer.close();
  });

  it("keeps the hook's headers on events that went through the disk spool, and reports them spooled", async () => {
    const { broker, lane } = memoryLane("memory", { buffer: { maxEvents: 2 } });
    const statuses = new Map<string, string>();
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      retry: fast,
      spool: { dir: mkdtempSync(join(tmpdir(), "kytos-hook-")) },
      onPublish: (event) => ({
        headers: { "x-trace": `trace-of-${event.id}` },
        settled: (delivery) => statuses.set(event.id, delivery.status),
      }),
    });
    await producer.ready();
    broker.setAvailable(false);
    const receipts = Array.from({ length: 20 }, () => producer.publish("kytos/topology.link_down", linkDown));
    // The buffer holds two (one of them in flight); the rest go to the spool while the broker is away.
    await waitFor(
      () => [...statuses.values()].filter((s) => s === "spooled").length >= 10,
      5000,
      "events spooled",
    );
    broker.setAvailable(true);
    expect(await producer.flush()).toBe(true);
    await Promise.all(receipts.map((r) => r.durable));
    const records = broker.records("kytos.events");
    expect(records).toHaveLength(20);
    for (const record of records) {
      expect(record.headers["x-trace"]).toBe(`trace-of-${record.headers[Header.EventId]}`);
    }
    await producer.close();
  });

  it("a throwing hook is logged and the event still goes out, without the hook's headers", async () => {
    const { broker, lane } = memoryLane("memory");
    const { lines, logger } = errorLog();
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      logger,
      onPublish: () => {
        throw new Error("tracer broke");
      },
    });
    const receipt = producer.publish("kytos/topology.link_down", linkDown);
    expect((await receipt.durable).ok).toBe(true);
    expect(broker.records("kytos.events")).toHaveLength(1);
    expect(lines.map((l) => l.message)).toEqual([
      "producer onPublish hook threw; the event is sent without its headers",
    ]);
    expect(lines[0]!.fields).toMatchObject({ lane: "memory", error: "Error: tracer broke" });
    await producer.close();
  });

  it("a throwing settled callback is logged and the receipt still resolves", async () => {
    const { lane } = memoryLane("memory");
    const { lines, logger } = errorLog();
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      logger,
      onPublish: () => ({
        settled: () => {
          throw new Error("exporter broke");
        },
      }),
    });
    const report = await producer.publish("kytos/topology.link_down", linkDown).durable;
    expect(report.lanes).toEqual([{ lane: "memory", status: "delivered" }]);
    expect(lines.map((l) => l.message)).toEqual(["producer onPublish settled callback threw; ignored"]);
    await producer.close();
  });

  it("applies to publishKytos and publishEnvelope too", async () => {
    const { lane } = memoryLane("memory");
    const types: string[] = [];
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      onPublish: (event) => {
        types.push(event.type);
        return undefined;
      },
    });
    const linkUp = kytosEventFixtures.find((f) => f.name === "kytos/topology.link_up")!;
    expect(producer.publishKytos(linkUp.name, linkUp.content).accepted).toBe(true);
    producer.publishEnvelope(
      createEnvelope({
        type: "kytos/topology.link_down",
        payload: create(TopologyLinkDownSchema, linkDown),
        source: "ctl-1",
        sequence: 7n,
      }),
    );
    await producer.flush();
    expect(types).toEqual(["kytos/topology.link_up", "kytos/topology.link_down"]);
    await producer.close();
  });

  it("is refused at creation when it is not a function", () => {
    const { lane } = memoryLane("memory");
    expect(() => createProducer({ source: "ctl-1", lanes: [lane], onPublish: "trace" as never })).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
  });
});
