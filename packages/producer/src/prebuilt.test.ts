import { create } from "@bufbuild/protobuf";
import {
  ContentType,
  createEnvelope,
  encodeEnvelope,
  Header,
  type KytosEventsError,
  MetricName,
  RecordingMetrics,
} from "@kytos-events/core";
import { type Envelope, EnvelopeSchema } from "@kytos-events/schema";
import { linkId, linkJson } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import type { ErrorContext } from "./config.js";
import type { EncodedEvent } from "./prebuilt.js";
import { createProducer } from "./producer.js";
import { envelopes, memoryLane } from "./test-support.js";

const fast = { initialDelayMs: 1, maxDelayMs: 10 };

function linkDown(sequence: number, source = "relay-7"): Envelope {
  return createEnvelope({
    type: "kytos/topology.link_down",
    payload: { link: { id: linkId }, reason: `flap ${sequence}` },
    source,
    sequence: BigInt(sequence),
  });
}

function linkUp(sequence: number): Envelope {
  return createEnvelope({
    type: "kytos/topology.link_up",
    payload: { link: { id: linkId } },
    source: "relay-7",
    sequence: BigInt(sequence),
  });
}

function encoded(envelope: Envelope): EncodedEvent {
  return { ...encodeEnvelope(envelope), key: envelope.key, sequence: envelope.sequence };
}

describe("publishEncoded", () => {
  it("sends the caller's bytes, headers and key as they are, in publish order, without using the producer's sequence", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const events = Array.from({ length: 5 }, (_, i) => encoded(linkDown(i + 10)));
    const receipts = events.map((e) => producer.publishEncoded(e));
    expect(receipts.map((r) => [r.accepted, r.id, r.sequence])).toEqual(
      events.map((e) => [true, e.headers[Header.EventId], e.sequence]),
    );
    const reports = await Promise.all(receipts.map((r) => r.durable));
    expect(reports.every((r) => r.ok && r.lanes[0]?.status === "delivered")).toBe(true);
    const records = broker.records("kytos.events");
    expect(records.map((r) => r.value)).toEqual(events.map((e) => e.value));
    expect(records.map((r) => r.key)).toEqual(events.map((e) => e.key));
    expect(records.map((r) => r.headers)).toEqual(events.map((e) => e.headers));
    // Decoded, they are the caller's envelopes: its source and sequences, not the producer's.
    expect(envelopes(broker, "kytos.topology").map((e) => [e.source, e.sequence])).toEqual(
      events.map((e) => ["relay-7", e.sequence]),
    );
    expect(producer.stats().sequence).toBe(0n);
    await producer.close();
  });

  it("keeps publish order with publish and publishKytos interleaved on one lane", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const ids = [
      producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: "a" }).id,
      producer.publishEncoded(encoded(linkDown(1))).id,
      producer.publishKytos("kytos/topology.link_up", { link: linkJson(), reason: "up" }).id,
      producer.publishEnvelope(linkUp(2)).id,
    ];
    expect(await producer.flush()).toBe(true);
    expect(envelopes(broker, "kytos.events").map((e) => e.id)).toEqual(ids);
    await producer.close();
  });

  it("applies each lane's filter and counts what it stops; a fully filtered event is not accepted", async () => {
    const topology = memoryLane("topology", { filter: { deny: [".*\\.link_up"] } });
    const all = memoryLane("all");
    const producer = createProducer({ source: "ctl-1", lanes: [topology.lane, all.lane] });
    const down = producer.publishEncoded(encoded(linkDown(1)));
    const up = producer.publishEncoded(encoded(linkUp(2)));
    expect(await up.durable).toMatchObject({
      ok: true,
      lanes: [
        { lane: "topology", status: "filtered" },
        { lane: "all", status: "delivered" },
      ],
    });
    expect((await down.durable).lanes.map((l) => l.status)).toEqual(["delivered", "delivered"]);
    expect(envelopes(topology.broker, "kytos.events").map((e) => e.id)).toEqual([down.id]);
    expect(envelopes(all.broker, "kytos.events").map((e) => e.id)).toEqual([down.id, up.id]);
    expect(producer.stats().lanes.map((l) => [l.name, l.accepted, l.filtered])).toEqual([
      ["topology", 1, 1],
      ["all", 2, 0],
    ]);

    producer.reload({ lanes: [{ ...topology.lane, filter: { deny: [".*"] } }] });
    const nowhere = producer.publishEncoded(encoded(linkDown(3)));
    expect(nowhere.accepted).toBe(false);
    expect(await nowhere.durable).toMatchObject({
      ok: true,
      lanes: [{ lane: "topology", status: "filtered" }],
    });
    await producer.close();
  });

  it("counts drops when the lane's buffer overflows, and each dropped event's receipt says why", async () => {
    const { broker, lane } = memoryLane("memory", { buffer: { maxEvents: 10 } });
    const metrics = new RecordingMetrics();
    const producer = createProducer({ source: "ctl-1", lanes: [lane], retry: fast, metrics });
    await producer.ready();
    broker.setAvailable(false);
    const events = Array.from({ length: 25 }, (_, i) => encoded(linkDown(i + 1)));
    const receipts = events.map((e) => producer.publishEncoded(e));
    expect(receipts.every((r) => r.accepted)).toBe(true);
    const dropped = await Promise.all(receipts.slice(0, 15).map((r) => r.durable));
    expect(dropped.every((r) => !r.ok && r.lanes[0]?.reason === "overflow-oldest")).toBe(true);
    broker.setAvailable(true);
    expect(await producer.flush()).toBe(true);
    expect(envelopes(broker, "kytos.events").map((e) => Number(e.sequence))).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 16),
    );
    expect(producer.stats().lanes[0]!.dropped["overflow-oldest"]).toBe(15);
    expect(metrics.counter(MetricName.Dropped, { lane: "memory", reason: "overflow-oldest" })).toBe(15);
    await producer.close();
  });

  it("refuses events whose headers or shape are wrong: counted, reported, in the receipt, never thrown", async () => {
    const { broker, lane } = memoryLane("memory");
    const errors: [KytosEventsError, ErrorContext][] = [];
    const producer = createProducer({
      source: "ctl-1",
      lanes: [lane],
      onError: (error, context) => errors.push([error, context]),
    });
    const good = encoded(linkDown(1));
    const { [Header.EventType]: _type, ...withoutType } = good.headers;
    const { [Header.EventId]: _id, ...withoutId } = good.headers;
    const bad: [EncodedEvent, string][] = [
      [{ ...good, headers: withoutType }, "KE_MAPPING_INVALID"],
      [
        { ...good, headers: { ...good.headers, [Header.EventType]: "kytos/nope.never" } },
        "KE_UNKNOWN_EVENT_NAME",
      ],
      [{ ...good, headers: withoutId }, "KE_MAPPING_INVALID"],
      [{ ...good, headers: { ...good.headers, [Header.ContentType]: "text/plain" } }, "KE_MAPPING_INVALID"],
      [{ ...good, value: new Uint8Array(0) }, "KE_MAPPING_INVALID"],
      [{ ...good, key: 7 as unknown as string }, "KE_MAPPING_INVALID"],
      [{ ...good, headers: { ...good.headers, extra: 1 as unknown as string } }, "KE_MAPPING_INVALID"],
      [undefined as unknown as EncodedEvent, "KE_MAPPING_INVALID"],
    ];
    for (const [event, code] of bad) {
      const receipt = producer.publishEncoded(event);
      expect(receipt.accepted).toBe(false);
      expect((await receipt.durable).error?.code).toBe(code);
    }
    expect(errors.map(([e, c]) => [e.code, c.phase])).toEqual(bad.map(([, code]) => [code, "publish"]));
    expect(producer.stats().refused.invalid).toBe(bad.length);
    expect(producer.publishEncoded(good).accepted).toBe(true);
    await producer.flush();
    expect(broker.records("kytos.events")).toHaveLength(1);
    await producer.close();
  });

  it("accepts Protobuf JSON values with the JSON content type", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const envelope = linkDown(4);
    const json = { ...encodeEnvelope(envelope, "json"), key: envelope.key };
    expect(json.headers[Header.ContentType]).toBe(ContentType.Json);
    await producer.publishEncoded(json).durable;
    expect(envelopes(broker, "kytos.events").map((e) => e.id)).toEqual([envelope.id]);
    await producer.close();
  });

  it("throws bad input with strict: true and refuses after close without throwing", async () => {
    const { lane } = memoryLane("memory");
    const closed = createProducer({ source: "ctl-1", lanes: [lane] });
    await closed.close();
    const late = closed.publishEncoded(encoded(linkDown(1)));
    expect(late.accepted).toBe(false);
    expect((await late.durable).error?.code).toBe("KE_CLOSED");
    expect(closed.stats().refused.closed).toBe(1);

    const other = memoryLane("other");
    const throwing = createProducer({ source: "ctl-1", lanes: [other.lane], strict: true });
    const good = encoded(linkDown(1));
    expect(() =>
      throwing.publishEncoded({ ...good, headers: { ...good.headers, [Header.EventType]: "x/y" } }),
    ).toThrow(/not in the kytos.events.v1 schema/);
    await throwing.close();
  });
});

describe("publishEnvelope", () => {
  it("sends the envelope with its own id, source, sequence and key, encoded once in the producer's format", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane], format: "json" });
    const built = [linkDown(41), linkDown(42)];
    const receipts = built.map((e) => producer.publishEnvelope(e));
    expect(receipts.map((r) => [r.id, r.sequence])).toEqual(built.map((e) => [e.id, e.sequence]));
    expect((await Promise.all(receipts.map((r) => r.durable))).every((r) => r.ok)).toBe(true);
    expect(broker.records("kytos.events").map((r) => r.headers[Header.ContentType])).toEqual([
      ContentType.Json,
      ContentType.Json,
    ]);
    expect(envelopes(broker, "kytos.events")).toEqual(built);
    expect(producer.stats().sequence).toBe(0n);
    await producer.close();
  });

  it("refuses inconsistent envelopes (unknown type, another event's payload, a foreign key, no id or source)", async () => {
    const { broker, lane } = memoryLane("memory");
    const producer = createProducer({ source: "ctl-1", lanes: [lane] });
    const good = linkDown(1);
    const bad: [Envelope, string][] = [
      [create(EnvelopeSchema, { ...good, type: "kytos/nope.never" }), "KE_UNKNOWN_EVENT_NAME"],
      [create(EnvelopeSchema, { ...good, type: "kytos/topology.link_up" }), "KE_MAPPING_INVALID"],
      [create(EnvelopeSchema, { ...good, key: "another-link" }), "KE_MAPPING_INVALID"],
      [create(EnvelopeSchema, { ...good, id: "" }), "KE_MAPPING_INVALID"],
      [create(EnvelopeSchema, { ...good, source: "" }), "KE_MAPPING_INVALID"],
      [{ type: "kytos/topology.link_down" } as unknown as Envelope, "KE_MAPPING_INVALID"],
    ];
    for (const [envelope, code] of bad) {
      const receipt = producer.publishEnvelope(envelope);
      expect(receipt.accepted).toBe(false);
      expect((await receipt.durable).error?.code).toBe(code);
    }
    expect(producer.stats().refused.invalid).toBe(bad.length);
    expect(producer.publishEnvelope(good).accepted).toBe(true);
    await producer.flush();
    expect(envelopes(broker, "kytos.events").map((e) => e.id)).toEqual([good.id]);
    await producer.close();
  });
});
