// Decoder fuzzing: whatever bytes and headers arrive, decodeEnvelope returns a typed result and
// never throws. Seeded so a failure reproduces; broker-free, it runs in the integration project
// because unit tests are only collected under packages/*/src.
import { ContentType, createEnvelope, decodeEnvelope, encodeEnvelope, Header } from "@kytos-events/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const SEED = 20261123;
const REASONS = new Set(["malformed", "unsupported-content-type", "unknown-event", "schema-too-new"]);

const envelope = createEnvelope({
  type: "kytos/topology.link_down",
  payload: { link: { id: "link-1" } } as never,
  source: "kytos-fuzz",
  sequence: 7n,
});
const binary = encodeEnvelope(envelope, "binary");
const json = encodeEnvelope(envelope, "json");
const jsonText = new TextDecoder().decode(json.value);
const encoder = new TextEncoder();

/** Fails the property unless the result is one of the two typed shapes. */
function assertTyped(value: Uint8Array, headers?: Record<string, string>): void {
  const result = decodeEnvelope(value, headers);
  if (result.ok) {
    expect(result.envelope.id).not.toBe("");
    expect(result.event.type).toBe(result.envelope.type);
  } else {
    expect(REASONS.has(result.reason)).toBe(true);
    expect(result.error.code).toMatch(/^KE_/);
    expect(result.raw).toBe(value);
  }
}

const contentTypes = fc.constantFrom<string | undefined>(
  undefined,
  ContentType.Protobuf,
  ContentType.Json,
  "application/protobuf",
  "APPLICATION/JSON; charset=utf-8",
  "text/plain",
  "",
  ";",
);

function mutate(bytes: Uint8Array, flips: number[], cut: number): Uint8Array {
  const out = bytes.slice(0, Math.max(0, Math.min(bytes.length, cut)));
  for (const at of flips) if (out.length > 0) out[at % out.length]! ^= 1 << (at % 8);
  return out;
}

describe("decodeEnvelope under fuzzing (seeded)", () => {
  it("never throws on 40k random byte strings with any content type", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), contentTypes, (value, ct) => {
        assertTyped(value, ct === undefined ? undefined : { [Header.ContentType]: ct });
      }),
      { seed: SEED, numRuns: 40_000 },
    );
  });

  it("never throws on 40k bit-flipped or truncated valid envelopes, binary and JSON", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.nat({ max: 400 }),
        contentTypes,
        (useJson, flips, cut, ct) => {
          const base = useJson ? json : binary;
          const headers = { ...base.headers };
          if (ct !== undefined) headers[Header.ContentType] = ct;
          assertTyped(mutate(base.value, flips, cut), headers);
        },
      ),
      { seed: SEED, numRuns: 40_000 },
    );
  });

  it("never throws on 20k envelopes with inserted unknown fields or JSON variants", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 536_870_911 }),
        fc.uint8Array({ maxLength: 16 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.string({ maxLength: 12 }),
        (fieldNo, fieldBytes, extra, key) => {
          // An unknown length-delimited field appended to a valid binary envelope.
          const tag = varint(fieldNo * 8 + 2);
          const unknown = new Uint8Array([
            ...binary.value,
            ...tag,
            ...varint(fieldBytes.length),
            ...fieldBytes,
          ]);
          assertTyped(unknown, binary.headers);
          // JSON: an extra key, a replaced known key, and a non-object document.
          const doc = JSON.parse(jsonText) as Record<string, unknown>;
          assertTyped(encoder.encode(JSON.stringify({ ...doc, [key]: extra })), json.headers);
          assertTyped(encoder.encode(JSON.stringify({ ...doc, type: extra })), json.headers);
          assertTyped(encoder.encode(JSON.stringify(extra)), json.headers);
        },
      ),
      { seed: SEED, numRuns: 20_000 },
    );
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
