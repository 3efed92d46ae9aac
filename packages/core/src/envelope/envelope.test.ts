import { create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { SCHEMA_VERSION, TopologyLinkUpSchema } from "@kytos-events/schema";
import { describe, expect, it } from "vitest";
import { createEnvelope } from "./create-envelope.js";
import { SequenceCounter } from "./sequence-counter.js";
import { uuidv7, uuidv7Time } from "./uuid-v7.js";

describe("uuidv7", () => {
  it("is a version-7, variant-10 UUID carrying its creation time", () => {
    const id = uuidv7(1_700_000_000_123);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidv7Time(id)).toBe(1_700_000_000_123);
  });

  it("is strictly increasing within one process, even many times in the same millisecond", () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7(1_800_000_000_000));
    const sorted = [...ids].sort();
    expect(ids).toEqual(sorted);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("SequenceCounter", () => {
  it("counts from the last persisted value so a restarted producer continues", () => {
    const fresh = new SequenceCounter();
    expect([fresh.next(), fresh.next()]).toEqual([1n, 2n]);
    const restored = new SequenceCounter(41n);
    expect(restored.next()).toBe(42n);
    expect(restored.last).toBe(42n);
  });
});

describe("createEnvelope", () => {
  it("fills id, key from the schema's key template, schema version and occurred_at", () => {
    const payload = create(TopologyLinkUpSchema, { link: { id: "link-abc" } } as never);
    const env = createEnvelope({
      type: "kytos/topology.link_up",
      payload,
      source: "ctl-1",
      sequence: 5n,
      occurredAt: 1_000,
    });
    expect(env.type).toBe("kytos/topology.link_up");
    expect(env.key).toBe("link-abc");
    expect(env.schemaVersion).toBe(SCHEMA_VERSION);
    expect(env.sequence).toBe(5n);
    expect(timestampMs(env.occurredAt!)).toBe(1_000);
    expect(env.payload.case).toBe("topologyLinkUp");
    // Another test moved this process's id clock far ahead; ids stay monotonic rather than follow it back.
    expect(uuidv7Time(env.id)).toBeGreaterThanOrEqual(1_000);
  });

  it("throws a KE_UNKNOWN_EVENT_NAME error for a name the schema does not know", () => {
    expect(() =>
      createEnvelope({
        type: "kytos/nope.nothing" as never,
        payload: {} as never,
        source: "s",
        sequence: 1n,
      }),
    ).toThrow(expect.objectContaining({ code: "KE_UNKNOWN_EVENT_NAME" }));
  });
});
