import { create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { SCHEMA_VERSION, TopologyLinkDownSchema, TopologyLinkUpSchema } from "@kytos-events/schema";
import { describe, expect, it } from "vitest";
import { createEnvelope } from "./create-envelope.js";
import { SequenceCounter } from "./sequence-counter.js";
import { UuidV7Generator, uuidv7, uuidv7Time } from "./uuid-v7.js";

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uuidv7", () => {
  it("is a version-7, variant-10 UUID carrying its creation time", () => {
    const id = new UuidV7Generator().next(1_700_000_000_123);
    expect(id).toMatch(UUIDV7);
    expect(uuidv7Time(id)).toBe(1_700_000_000_123);
    expect(uuidv7()).toMatch(UUIDV7);
  });

  it("is strictly increasing from one generator, within a millisecond and when the clock steps back", () => {
    const gen = new UuidV7Generator();
    const times = [5_000, 5_000, 5_000, 4_000, 4_999, 5_001, 5_001, 3_000];
    const ids = [...times.flatMap((t) => Array.from({ length: 100 }, () => gen.next(t)))];
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    // The clock stepping back does not move ids back: they stay on the last millisecond.
    expect(uuidv7Time(ids.at(-1)!)).toBe(5_001);
  });

  it("borrows the next millisecond when 4096 ids are made in one, keeping order", () => {
    const gen = new UuidV7Generator();
    const ids = Array.from({ length: 4097 }, () => gen.next(10_000));
    expect(ids).toEqual([...ids].sort());
    expect(uuidv7Time(ids[4095]!)).toBe(10_000);
    expect(uuidv7Time(ids[4096]!)).toBe(10_001);
  });

  it("refuses a time that does not fit 48 bits", () => {
    const gen = new UuidV7Generator();
    expect(() => gen.next(-1)).toThrow(RangeError);
    expect(() => gen.next(Number.NaN)).toThrow(RangeError);
    expect(() => gen.next(2 ** 48)).toThrow(RangeError);
  });
});

describe("SequenceCounter", () => {
  it("counts from the last persisted value so a restarted producer continues", () => {
    const fresh = new SequenceCounter();
    expect([fresh.next(), fresh.next()]).toEqual([1n, 2n]);
    const restored = new SequenceCounter(41n);
    expect(restored.next()).toBe(42n);
    expect(restored.last).toBe(42n);
    expect(() => new SequenceCounter(-1n)).toThrow(RangeError);
  });
});

describe("createEnvelope", () => {
  const linkUp = create(TopologyLinkUpSchema, { link: { id: "link-abc" } } as never);

  it("fills id, key from the schema's key template, schema version and occurred_at", () => {
    const before = Date.now();
    const env = createEnvelope({
      type: "kytos/topology.link_up",
      payload: linkUp,
      source: "ctl-1",
      sequence: 5n,
      occurredAt: 1_000,
    });
    expect(env.type).toBe("kytos/topology.link_up");
    expect(env.key).toBe("link-abc");
    expect(env.schemaVersion).toBe(SCHEMA_VERSION);
    expect(env.sequence).toBe(5n);
    expect(env.source).toBe("ctl-1");
    expect(timestampMs(env.occurredAt!)).toBe(1_000);
    expect(env.payload.case).toBe("topologyLinkUp");
    // The id is stamped with when the envelope was made, not with the caller's occurredAt.
    expect(env.id).toMatch(UUIDV7);
    expect(uuidv7Time(env.id)).toBeGreaterThanOrEqual(before);
  });

  it("builds the payload from a plain object and keeps a given id", () => {
    const env = createEnvelope({
      type: "kytos/topology.link_up",
      payload: { link: { id: "link-xyz" } } as never,
      source: "ctl-1",
      sequence: 1n,
      id: "0190a000-0000-7000-8000-000000000001",
    });
    expect(env.key).toBe("link-xyz");
    expect(env.payload.value?.$typeName).toBe(TopologyLinkUpSchema.typeName);
    expect(env.id).toBe("0190a000-0000-7000-8000-000000000001");
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

  it("names what is wrong with a payload of another event, an empty source, or an impossible sequence or time", () => {
    const base = { type: "kytos/topology.link_up" as const, payload: linkUp, source: "s", sequence: 1n };
    const cases: [Partial<Parameters<typeof createEnvelope>[0]>, RegExp][] = [
      [{ payload: create(TopologyLinkDownSchema, {}) as never }, /TopologyLinkDown.*TopologyLinkUp/],
      [{ source: "" }, /source is empty/],
      [{ sequence: -1n }, /sequence -1/],
      [{ sequence: 2n ** 64n }, /sequence 18446744073709551616/],
      [{ occurredAt: Number.NaN }, /occurredAt NaN/],
      [{ id: "" }, /id is empty/],
    ];
    for (const [change, message] of cases) {
      expect(() => createEnvelope({ ...base, ...change } as never), String(message)).toThrow(
        expect.objectContaining({ code: "KE_MAPPING_INVALID", message: expect.stringMatching(message) }),
      );
    }
  });
});
