// Bad configuration and bad data: each case names the input, the error code it must give and
// when (construction vs per message), and checks that events accepted before and after a bad
// input are still delivered. Controller JSON missing a required field is refused naming it;
// the few fields the controller itself leaves out stay absent (never filled with a default).
// Broker-free: the wrong-credential and malformed-URL cases of the real brokers are in
// broker-config.int.test.ts, packages/amqp/src/amqp-connect.int.test.ts and
// packages/kafka/src/errors.int.test.ts.
import {
  createMemoryBroker,
  createMemoryTransport,
  decodeEnvelope,
  ErrorCode,
  EventFilter,
  type KytosEventsError,
} from "@kytos-events/core";
import { createProducer } from "@kytos-events/producer";
import { type EventName, fromKytosJson, MappingError, toKytosJson } from "@kytos-events/schema";
import { kytosEventFixtures } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";

const routing = { partitions: 1, statusPartitions: 1 } as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as KytosEventsError).code;
  }
  return undefined;
}

describe("bad configuration: refused at construction", () => {
  it.each([
    ["an unclosed group", "kytos/topology.(link_down"],
    ["a dangling quantifier", "*"],
    ["a pattern valid only once wrapped", "a)|(.*"],
  ])("an invalid filter regex (%s) gives KE_FILTER_PATTERN_INVALID naming it", (_, pattern) => {
    expect(codeOf(() => new EventFilter({ allow: [pattern] }))).toBe(ErrorCode.FilterPatternInvalid);
    expect(() => new EventFilter({ deny: [pattern] })).toThrow(pattern);
  });

  it("a producer lane with an invalid filter regex fails createProducer, not a later publish", () => {
    const transport = createMemoryTransport({ broker: createMemoryBroker() });
    const make = () =>
      createProducer({
        source: "ctl",
        lanes: [{ name: "m", transport, routing, filter: { allow: ["(("] } }],
      });
    expect(codeOf(make)).toBe(ErrorCode.FilterPatternInvalid);
  });

  it("an unknown event name in a filter is accepted but reported by patternsMatchingNothing (a start-up warning)", () => {
    const filter = new EventFilter({ allow: ["kytos/topology.link_dwon", "kytos/topology.link_down"] });
    expect(filter.patternsMatchingNothing()).toEqual([
      { list: "allow", index: 0, pattern: "kytos/topology.link_dwon" },
    ]);
  });
});

describe("bad controller JSON: refused per message", () => {
  it.each([
    ["link of the wrong type", "kytos/topology.link_down", { link: "not an object" }],
    ["content not an object", "kytos/topology.link_down", "link-1"],
    ["dpid of the wrong type", "kytos/topology.switch.enabled", { dpid: 42 }],
  ])("fromKytosJson with %s gives KE_MAPPING_INVALID", (_, name, content) => {
    expect(codeOf(() => fromKytosJson(name as never, content))).toBe(ErrorCode.MappingInvalid);
  });

  it("fromKytosJson with an unknown event name gives KE_UNKNOWN_EVENT_NAME", () => {
    expect(codeOf(() => fromKytosJson("kytos/nope.nothing" as never, {}))).toBe(ErrorCode.UnknownEventName);
  });

  it("publishKytos refuses each bad message through the receipt and onError; events before and after are delivered", async () => {
    const broker = createMemoryBroker();
    const transport = createMemoryTransport({ broker });
    const errors: string[] = [];
    const producer = createProducer({
      source: "ctl",
      lanes: [{ name: "m", transport, routing }],
      onError: (e) => errors.push(e.code),
    });
    const dpid = (n: number) => `00:00:00:00:00:00:00:0${n}`;
    const receipts = [
      producer.publishKytos("kytos/topology.switch.enabled", { dpid: dpid(1) }),
      producer.publishKytos("kytos/topology.link_down", { link: "not an object" }),
      producer.publishKytos("kytos/nope.nothing", {}),
      producer.publishKytos("kytos/topology.switch.enabled", { dpid: 42 }),
      producer.publishKytos("kytos/topology.switch.enabled", { dpid: dpid(2) }),
    ];
    expect(receipts.map((r) => r.accepted)).toEqual([true, false, false, false, true]);
    await producer.flush();
    const delivered = broker.records("kytos.events").map((r) => {
      const result = decodeEnvelope(r.value, r.headers);
      if (!result.ok) throw result.error;
      return [result.envelope.type, result.envelope.sequence];
    });
    expect(delivered).toEqual([
      ["kytos/topology.switch.enabled", 1n],
      ["kytos/topology.switch.enabled", 2n],
    ]);
    expect(errors).toEqual([ErrorCode.MappingInvalid, ErrorCode.UnknownEventName, ErrorCode.MappingInvalid]);
    await producer.close();
  });
});

// Top-level content keys the controller itself may leave out (see the catalog's event
// descriptions); everything else in an event's content is required.
const MAY_BE_ABSENT: Readonly<Record<string, readonly string[]>> = {
  // Only the fields the REST call changed are added to the EVC summary.
  "kytos/mef_eline.updated": ["bandwidth", "queue_id"],
  // The error kwargs come only with a switch's error message.
  "kytos/flow_manager.flow.error": ["error_command", "error_type", "error_code", "error_exception"],
  // flow_manager reads `force` with a default of False when a NApp leaves it out.
  "kytos.flow_manager.flows.install": ["force"],
  "kytos.flow_manager.flows.delete": ["force"],
  "kytos.flow_manager.flows.single.install": ["force"],
};

type Json = Record<string, unknown>;

function without(content: unknown, key: string): Json {
  const copy = structuredClone(content) as Json;
  delete copy[key];
  return copy;
}

function mappingErrorOf(fn: () => unknown): MappingError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof MappingError) return err;
    throw err;
  }
  return undefined;
}

/** Each fixture's top-level keys, except the keys of batch events (EVC ids: data, not fields). */
const topLevelFields = kytosEventFixtures.flatMap((f) =>
  Object.keys((f.content ?? {}) as Json)
    .filter((key) => !/^[0-9a-f]{14}$/.test(key))
    .map((key) => [f.name, key, f.content] as const),
);

describe("controller JSON with a required field missing: refused per message, naming the field", () => {
  it("covers every event type's content fields (the matrix below is not vacuous)", () => {
    expect(topLevelFields.length).toBeGreaterThan(150);
    const optional = topLevelFields.filter(([name, key]) => MAY_BE_ABSENT[name]?.includes(key));
    expect(new Set(optional.map(([n, k]) => `${n} ${k}`))).toEqual(
      new Set(Object.entries(MAY_BE_ABSENT).flatMap(([n, keys]) => keys.map((k) => `${n} ${k}`))),
    );
  });

  it("every required top-level field of every event, left out, gives KE_MAPPING_INVALID naming that field", () => {
    const wrong: string[] = [];
    for (const [name, key, content] of topLevelFields) {
      if (MAY_BE_ABSENT[name]?.includes(key)) continue;
      const err = mappingErrorOf(() => fromKytosJson(name, without(content, key)));
      const ok =
        err?.code === ErrorCode.MappingInvalid &&
        err.path === key &&
        err.message.includes(`field "${key}" is required but missing`);
      if (!ok) wrong.push(`${name} without ${key}: ${err ? `${err.code} at "${err.path}"` : "accepted"}`);
    }
    expect(wrong).toEqual([]);
  });

  it("a field the controller may leave out is accepted and stays absent: not defaulted, written back without it", () => {
    let checked = 0;
    for (const [name, key, content] of topLevelFields) {
      if (!MAY_BE_ABSENT[name]?.includes(key)) continue;
      const json = without(content, key);
      const payload = fromKytosJson(name, json);
      expect(toKytosJson(name, payload as never), `${name} without ${key}`).toEqual(json);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(Object.values(MAY_BE_ABSENT).flat().length);
    const install = fromKytosJson("kytos.flow_manager.flows.install", {
      dpid: "00:00:00:00:00:00:00:01",
      flow_dict: { flows: [] },
    });
    expect(install.request?.force).toBeUndefined();
  });

  it.each([
    ["link.id", "kytos/topology.link_down", (c: Json) => delete (c.link as Json).id],
    [
      "link.endpoint_a.switch",
      "kytos/topology.link_down",
      (c: Json) => delete ((c.link as Json).endpoint_a as Json).switch,
    ],
    ["switch.dpid", "kytos/core.switch.new", (c: Json) => delete (c.switch as Json).dpid],
  ] as const)("a nested required field (%s) left out is refused naming its path", (path, name, remove) => {
    const content = structuredClone(kytosEventFixtures.find((f) => f.name === name)!.content) as Json;
    remove(content);
    const err = mappingErrorOf(() => fromKytosJson(name as EventName, content));
    expect(err?.code).toBe(ErrorCode.MappingInvalid);
    expect(err?.path).toBe(path);
  });

  it("an interface's `stats` (present only when the switch reported stats) may be there or not", () => {
    const fixture = kytosEventFixtures.find((f) => f.name === "kytos/topology.link_down")!;
    const bare = structuredClone(fixture.content) as Json;
    expect("stats" in ((bare.link as Json).endpoint_a as Json)).toBe(false);
    expect(toKytosJson("kytos/topology.link_down", fromKytosJson("kytos/topology.link_down", bare))).toEqual(
      bare,
    );
    const withStats = structuredClone(bare);
    ((withStats.link as Json).endpoint_a as Json).stats = { rx_bytes: 10, tx_bytes: 20 };
    const payload = fromKytosJson("kytos/topology.link_down", withStats);
    expect(payload.link?.endpointA?.stats).toEqual({ rx_bytes: 10, tx_bytes: 20 });
    expect(toKytosJson("kytos/topology.link_down", payload)).toEqual(withStats);
  });

  it("publishKytos refuses an event missing its key field through the receipt, naming the field; events around it are delivered", async () => {
    const broker = createMemoryBroker();
    const transport = createMemoryTransport({ broker });
    const errors: KytosEventsError[] = [];
    const producer = createProducer({
      source: "ctl",
      lanes: [{ name: "m", transport, routing }],
      onError: (e) => errors.push(e),
    });
    const link = kytosEventFixtures.find((f) => f.name === "kytos/topology.link_down")!.content as Json;
    const receipts = [
      producer.publishKytos("kytos/topology.link_down", link),
      producer.publishKytos("kytos/topology.link_down", without(link, "link")),
      producer.publishKytos("kytos/topology.switch.enabled", {}),
      producer.publishKytos("kytos/topology.link_down", link),
    ];
    expect(receipts.map((r) => r.accepted)).toEqual([true, false, false, true]);
    await producer.flush();
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.MappingInvalid, ErrorCode.MappingInvalid]);
    expect(errors[0]!.message).toContain('field "link" is required but missing');
    expect(errors[1]!.message).toContain('field "dpid" is required but missing');
    const sequences = broker.records("kytos.events").map((r) => {
      const result = decodeEnvelope(r.value, r.headers);
      if (!result.ok) throw result.error;
      return result.envelope.sequence;
    });
    expect(sequences).toEqual([1n, 2n]);
    await producer.close();
  });
});
