import { create, equals } from "@bufbuild/protobuf";
import { Header, type KytosEventsError, MetricName, RecordingMetrics } from "@kytos-events/core";
import { fromKytosJson, getEventDescriptor } from "@kytos-events/schema";
import { kytosEventFixtures, linkId } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import type { ErrorContext } from "./config.js";
import { createProducer } from "./producer.js";
import { envelopes, memoryLane } from "./test-support.js";

const linkDown = { link: { id: linkId }, reason: "liveness down" };

describe("publish", () => {
  it("delivers a typed event enveloped with id, sequence, source, key and occurred_at", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const receipt = producer.publish("kytos/topology.link_down", linkDown);
    expect(receipt.accepted).toBe(true);
    expect(receipt.sequence).toBe(1n);
    const report = await receipt.durable;
    expect(report).toMatchObject({
      id: receipt.id,
      sequence: 1n,
      ok: true,
      lanes: [{ lane: "memory", status: "delivered" }],
    });
    const [envelope] = envelopes(broker, "kytos.topology");
    expect(envelope).toMatchObject({
      id: receipt.id,
      type: "kytos/topology.link_down",
      source: "ctl-1",
      sequence: 1n,
      key: linkId,
    });
    expect(envelope!.occurredAt).toBeDefined();
    expect(envelope!.payload.case).toBe("topologyLinkDown");
    expect(envelope!.payload.value).toMatchObject({ reason: "liveness down", link: { id: linkId } });
    await producer.close();
  });

  it("numbers events 1, 2, 3 … per source", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const sequences = Array.from(
      { length: 5 },
      () => producer.publish("kytos/topology.link_down", linkDown).sequence,
    );
    expect(sequences).toEqual([1n, 2n, 3n, 4n, 5n]);
    await producer.flush();
    expect(envelopes(broker, "kytos.events").map((e) => e.sequence)).toEqual(sequences);
    expect(producer.stats().sequence).toBe(5n);
    await producer.close();
  });

  it("publishes every controller JSON fixture; each reads back decoded and equal to the mapped payload", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const receipts = kytosEventFixtures.map((f) => producer.publishKytos(f.name, f.content));
    expect(receipts.every((r) => r.accepted)).toBe(true);
    const reports = await Promise.all(receipts.map((r) => r.durable));
    expect(reports.every((r) => r.ok)).toBe(true);
    const received = envelopes(broker, "kytos.events");
    expect(received).toHaveLength(kytosEventFixtures.length);
    received.forEach((envelope, i) => {
      const fixture = kytosEventFixtures[i]!;
      const expected = fromKytosJson(fixture.name, fixture.content);
      expect(envelope.type).toBe(fixture.name);
      expect(envelope.id).toBe(receipts[i]!.id);
      expect(
        equals(getEventDescriptor(fixture.name).schema, envelope.payload.value as never, expected as never),
      ).toBe(true);
    });
    await producer.close();
  });

  it("sends one encoding per event to its NApp, verbose and status destinations (client fanout)", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    await producer.publish("kytos/topology.link_down", linkDown).durable;
    const [napp] = broker.records("kytos.topology");
    const [verbose] = broker.records("kytos.events");
    const [status] = broker.records("kytos.status.link");
    expect(napp && verbose && status).toBeTruthy();
    expect(Buffer.from(napp!.value).equals(Buffer.from(verbose!.value))).toBe(true);
    expect(Buffer.from(status!.value).equals(Buffer.from(verbose!.value))).toBe(true);
    expect(napp!.key).toBe(linkId);
    expect(napp!.headers[Header.EventType]).toBe("kytos/topology.link_down");
    await producer.close();
  });

  it("sends one record per event when the transport's broker fans out", async () => {
    const { broker, transport } = memoryLane("memory");
    const brokerFanout = Object.assign(Object.create(transport) as typeof transport, {
      capabilities: { ...transport.capabilities, fanout: "broker" as const },
    });
    const producer = createProducer({
      source: "ctl-1",
      lanes: [{ name: "amqp-like", transport: brokerFanout }],
    });
    await producer.publish("kytos/topology.link_down", linkDown).durable;
    expect(broker.records("kytos.topology")).toHaveLength(1);
    expect(broker.records("kytos.events")).toHaveLength(0);
    expect(broker.records("kytos.status.link")).toHaveLength(0);
    await producer.close();
  });

  it("writes Protobuf JSON when format is json", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane], format: "json" });
    await producer.publish("kytos/topology.link_down", linkDown).durable;
    const [record] = broker.records("kytos.events");
    expect(record!.headers[Header.ContentType]).toBe("application/json");
    expect(JSON.parse(Buffer.from(record!.value).toString("utf8"))).toMatchObject({
      type: "kytos/topology.link_down",
    });
    await producer.close();
  });

  it("accepts a payload message as well as a plain init object", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const message = create(getEventDescriptor("kytos/topology.link_down").schema, linkDown);
    await producer.publish("kytos/topology.link_down", message).durable;
    expect(envelopes(broker, "kytos.events")[0]!.payload.value).toMatchObject(linkDown);
    await producer.close();
  });
});

describe("filtering", () => {
  it("sends only what the lane's filter allows and counts the rest, without using sequence numbers", async () => {
    const { broker, lane } = memoryLane("memory", {
      filter: { allow: ["kytos/topology\\..*"], deny: [".*\\.link_up"] },
    });
    const metrics = new RecordingMetrics();
    const producer = createProducer({ source: "ctl-1", lanes: [lane], metrics });
    const down = producer.publish("kytos/topology.link_down", linkDown);
    const up = producer.publish("kytos/topology.link_up", linkDown);
    const evc = producer.publishKytos(
      "kytos/mef_eline.created",
      kytosEventFixtures.find((f) => f.name === "kytos/mef_eline.created")!.content,
    );
    expect(down.accepted).toBe(true);
    expect([up.accepted, evc.accepted]).toEqual([false, false]);
    expect(await up.durable).toMatchObject({ ok: true, lanes: [{ lane: "memory", status: "filtered" }] });
    await producer.flush();
    expect(envelopes(broker, "kytos.events").map((e) => [e.type, e.sequence])).toEqual([
      ["kytos/topology.link_down", 1n],
    ]);
    expect(producer.stats().lanes[0]).toMatchObject({ accepted: 1, filtered: 2, delivered: 1 });
    expect(metrics.counter(MetricName.Filtered, { lane: "memory" })).toBe(2);
    await producer.close();
  });

  it("counts every record the broker accepted under Sent, per lane and destination", async () => {
    const { broker, lane } = memoryLane("memory");
    const metrics = new RecordingMetrics();
    const producer = createProducer({ source: "ctl-1", lanes: [lane], metrics });
    for (let i = 0; i < 3; i++) producer.publish("kytos/topology.link_down", linkDown);
    producer.publishKytos(
      "kytos/mef_eline.created",
      kytosEventFixtures.find((f) => f.name === "kytos/mef_eline.created")!.content,
    );
    await producer.flush();
    const topology = envelopes(broker, "kytos.topology").length;
    expect(topology).toBe(3);
    expect(metrics.counter(MetricName.Sent, { lane: "memory", destination: "kytos.topology" })).toBe(
      topology,
    );
    expect(metrics.counter(MetricName.Sent, { lane: "memory", destination: "kytos.mef_eline" })).toBe(
      envelopes(broker, "kytos.mef_eline").length,
    );
    await producer.close();
  });

  it("rejects a bad regular expression at creation, naming the lane and the pattern", () => {
    const { lane } = memoryLane("memory", { filter: { allow: ["kytos/(topology"] } });
    expect(() => createProducer({ source: "ctl-1", lanes: [lane] })).toThrow(
      expect.objectContaining({
        code: "KE_FILTER_PATTERN_INVALID",
        message: expect.stringMatching(/lane "memory".*kytos\/\(topology/),
      }),
    );
  });
});

describe("bad input", () => {
  it("reports an unknown event or unmappable content through onError and the receipt, never by throwing", async () => {
    const { broker, lane } = memoryLane("memory");
    const errors: [KytosEventsError, ErrorContext][] = [];
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      onError: (e, c) => errors.push([e, c]),
    });
    const unknown = producer.publishKytos("kytos/nope.nothing", {});
    const bad = producer.publishKytos("kytos/topology.link_down", { link: "not an object" });
    const good = producer.publishKytos("kytos/topology.switch.enabled", { dpid: "00:00:00:00:00:00:00:01" });
    expect([unknown.accepted, bad.accepted, good.accepted]).toEqual([false, false, true]);
    expect(await unknown.durable).toMatchObject({ ok: false, error: { code: "KE_UNKNOWN_EVENT_NAME" } });
    expect(await bad.durable).toMatchObject({ ok: false, error: { code: "KE_MAPPING_INVALID" } });
    expect(errors.map(([e, c]) => [e.code, c.phase, c.event])).toEqual([
      ["KE_UNKNOWN_EVENT_NAME", "publish", "kytos/nope.nothing"],
      ["KE_MAPPING_INVALID", "publish", "kytos/topology.link_down"],
    ]);
    expect(good.sequence).toBe(1n); // refused events leave no gap
    await producer.flush();
    expect(envelopes(broker, "kytos.events")).toHaveLength(1);
    expect(producer.stats().refused).toEqual({ invalid: 2, closed: 0 });
    await producer.close();
  });

  it("throws bad input with strict: true", async () => {
    const { lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane], strict: true });
    expect(() => producer.publishKytos("kytos/nope.nothing", {})).toThrow(
      expect.objectContaining({ code: "KE_UNKNOWN_EVENT_NAME" }),
    );
    await producer.close();
  });

  it("keeps publishing when the onError hook itself throws", async () => {
    const { lane } = memoryLane("memory");
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      onError: () => {
        throw new Error("hook bug");
      },
    });
    expect(producer.publishKytos("kytos/nope.nothing", {}).accepted).toBe(false);
    expect((await producer.publish("kytos/topology.link_down", linkDown).durable).ok).toBe(true);
    await producer.close();
  });

  it.each([
    [{ source: "", lanes: [] }, /source/],
    [{ source: "ctl", lanes: [] }, /lanes/],
    [{ source: "ctl", lanes: [{ name: "a b", transport: memoryLane("x").transport }] }, /name/],
    [{ source: "ctl", lanes: [{ name: "a", transport: {} }] }, /Transport/],
    [
      { source: "ctl", lanes: [memoryLane("a", { buffer: { overflow: "wait" as never } }).lane] },
      /publish never waits/,
    ],
    [{ source: "ctl", lanes: [memoryLane("a").lane], batch: { maxEvents: 0 } }, /batch.maxEvents/],
    [{ source: "ctl", lanes: [memoryLane("a").lane, memoryLane("a").lane] }, /used twice/],
  ])("rejects an invalid config with a message naming the setting (%#)", (config, message) => {
    expect(() => createProducer(config as never)).toThrow(
      expect.objectContaining({ code: "KE_CONFIG_INVALID", message: expect.stringMatching(message) }),
    );
  });
});

describe("ready", () => {
  it("rejects at its deadline naming the lane that cannot connect and why, while publish keeps working", async () => {
    const { lane, transport } = memoryLane("broken");
    await transport.close(); // connect() now fails
    const errors: string[] = [];
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
      onError: (e, c) => errors.push(`${c.phase}:${c.lane}:${e.code}`),
    });
    await expect(producer.ready({ timeoutMs: 50 })).rejects.toMatchObject({
      code: "KE_TIMEOUT",
      message: expect.stringMatching(/"broken" \(memory: the memory transport is closed/),
    });
    expect(errors[0]).toBe("connect:broken:KE_CLOSED");
    expect(producer.publish("kytos/topology.link_down", linkDown).accepted).toBe(true);
    expect(producer.stats().lanes[0]).toMatchObject({ ready: false, buffered: 1 });
    await producer.close({ timeoutMs: 0 });
  });
});

describe("close", () => {
  it("refuses events after close, counted, without throwing", async () => {
    const { lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const report = await producer.close();
    expect(report).toEqual({
      drained: true,
      lost: 0,
      lanes: [{ lane: "memory", spooled: 0, lost: 0, spoolBacklogBytes: 0 }],
    });
    const late = producer.publish("kytos/topology.link_down", linkDown);
    expect(late.accepted).toBe(false);
    expect(await late.durable).toMatchObject({ ok: false, error: { code: "KE_CLOSED" } });
    expect(producer.stats().refused.closed).toBe(1);
    expect(await producer.close()).toBe(report);
  });

  it("closes the transports it owns and leaves the others open", async () => {
    const owned = memoryLane("owned");
    const shared = memoryLane("shared", { ownsTransport: false });
    const producer = createProducer({ source: "ctl-1", lanes: [owned.lane, shared.lane] });
    await producer.ready();
    await producer.close();
    await expect(owned.transport.connect()).rejects.toMatchObject({ code: "KE_CLOSED" });
    await expect(shared.transport.connect()).resolves.toBeUndefined();
  });
});
