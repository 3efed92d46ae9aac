// Bad configuration and bad data: each case names the input, the error code it must give and
// when (construction vs per message), and checks that events accepted before and after a bad
// input are still delivered. Broker-free: the wrong-credential and malformed-URL cases of the
// real brokers are in packages/amqp/src/amqp-connect.int.test.ts and packages/kafka/src/errors.int.test.ts.
import {
  createMemoryBroker,
  createMemoryTransport,
  decodeEnvelope,
  ErrorCode,
  EventFilter,
  type KytosEventsError,
} from "@kytos-events/core";
import { createProducer } from "@kytos-events/producer";
import { fromKytosJson } from "@kytos-events/schema";
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
